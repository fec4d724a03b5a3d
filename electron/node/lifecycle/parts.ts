// What the node's lifecycle holds: parts started in order and stopped in reverse.

/** A part's lifecycle: started in the order built, stopped in reverse. */
export interface Part {
  start?(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** Every part in reverse start order; one that fails to stop does not keep the others open. */
export async function stopAll(parts: Part[]): Promise<void> {
  let failure: unknown;
  for (const part of parts.splice(0).reverse())
    await Promise.resolve(part.stop()).catch((error) => (failure ??= error));
  if (failure !== undefined) throw failure;
}
