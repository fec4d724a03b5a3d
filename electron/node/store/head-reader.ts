// Reading the head's whole state in the background, as the snapshot and checkpoint services do
// once in a while: a LevelDB view of the head's rows taken at once (while the committer holds
// the next block back), handed to the work, which may take minutes; its end and its failure are
// logged, except a failure that only says the node is stopping.
import type { StateView } from './chain-store.js';

export interface HeadReadInit<T> {
  store: { stateView(): StateView };
  /** The height the view must be at: the block just committed. */
  height: number;
  /** What is being made, for the log: "snapshot", "checkpoint". */
  what: string;
  log: { error(fields: object, message: string): void };
  work: (view: StateView) => Promise<T>;
  done: (result: T, ms: number) => void | Promise<void>;
  /** Whether an error is only the node stopping the work (not logged). */
  stopped: (error: unknown) => boolean;
}

/** The work running on a view of the head, settled when it ends (never rejects); undefined when the head has moved on. */
export function readHead<T>(init: HeadReadInit<T>): Promise<void> | undefined {
  const view = init.store.stateView(); // the head's rows, now, before the next block commits
  if (view.head?.height !== init.height) {
    void view.close();
    return undefined;
  }
  const started = performance.now();
  return init
    .work(view)
    .then((result) => init.done(result, Math.round(performance.now() - started)))
    .catch((error: unknown) => {
      if (!init.stopped(error)) init.log.error({ height: init.height, error: String(error) }, `${init.what} failed`);
    });
}
