// A journey test's steps build on each other: once one fails, the steps after it are skipped
// rather than run and failed for the same cause. The first failure is then the last one printed,
// where CI's log tail shows it (stop 26's CI printed only step 5's empty board, not step 2's cause).
import { beforeEach, onTestFailed } from 'vitest';

/** Call at the top of a describe whose tests run in order and share state. */
export function skipAfterFirstFailure(): void {
  let failed: string | undefined;
  beforeEach((context) => {
    if (failed) context.skip(`an earlier step failed: ${failed}`);
    onTestFailed(() => {
      failed ??= context.task.name;
    });
  });
}
