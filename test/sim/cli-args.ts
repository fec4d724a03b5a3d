// What the simulator's command lines (run.ts, national.ts) share: reading an integer option,
// naming the failed seeds with the command that replays the first, and an exit code that a run
// left pending cannot turn into a pass.

/** The integer value of `--name`, undefined when it is not given; throws when it is not an integer >= min. */
export function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min)
    throw new Error(`--${name} must be an integer >= ${min}, got ${value}`);
  return parsed;
}

/**
 * Names the failed seeds of `count` (as `seeds`, or as `runs` of those seeds) and the command
 * that replays the first; returns the exit code: 1 when any failed, else 0.
 */
export function reportFailures(
  failed: ReadonlyArray<{ seed: number; replay: string }>,
  count: number,
  unit: 'seeds' | 'runs',
): number {
  if (failed.length === 0) return 0;
  const seeds = failed.map((failure) => failure.seed).join(', ');
  console.error(`${failed.length} of ${count} ${unit} FAILED: ${unit === 'runs' ? 'seeds ' : ''}${seeds}`);
  console.error(`replay the first: ${failed[0]!.replay}`);
  return 1;
}

/**
 * Runs `main` and exits with the code it returns; one that throws prints the error and exits 2;
 * a run that never settles exits 3.
 */
export function runCli(main: () => Promise<number>): void {
  let finished = false;
  process.on('exit', () => {
    // Node exits quietly when nothing is left to run: a run that never settled must not pass.
    if (!finished) {
      console.error('the simulator stopped with a run still pending (a promise that never settles)');
      process.exitCode = 3;
    }
  });

  main().then(
    (code) => {
      finished = true;
      process.exit(code);
    },
    (error: unknown) => {
      finished = true; // settled by an error: exit 2 with it, not 3 as if it never settled
      console.error(error);
      process.exit(2);
    },
  );
}
