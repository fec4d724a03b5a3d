// The simulator's command line:
//   npx tsx test/sim/run.ts                 200 seeds (0..199)
//   npx tsx test/sim/run.ts --seeds 1000 --first 5000
//   npx tsx test/sim/run.ts --seed 42       replay one seed, printing its plan
//   --validators N, --heights H             override what the seed would pick
// Prints a summary and exits non-zero if any seed fails, naming the seeds and how to replay them.
import { parseArgs } from 'node:util';
import { integer, reportFailures, runCli } from './cli-args.js';
import { describeConfig, randomConfig, replayCommand, type ConfigOverrides } from './scenario.js';
import { runSimulation, SimFailure, type SimResult } from './simulation.js';
import { summarize } from './summary.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      first: { type: 'string' },
      seed: { type: 'string' },
      heights: { type: 'string' },
      validators: { type: 'string' },
    },
  });
  const overrides: ConfigOverrides = {};
  const validators = integer('validators', values.validators, 1);
  const heights = integer('heights', values.heights, 1);
  if (validators !== undefined) overrides.validators = validators;
  if (heights !== undefined) overrides.heights = heights;
  const single = integer('seed', values.seed, 0);
  const first = single ?? integer('first', values.first, 0) ?? 0;
  const count = single === undefined ? (integer('seeds', values.seeds, 1) ?? 200) : 1;

  const started = performance.now();
  const results: SimResult[] = [];
  const failures: SimFailure[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const config = randomConfig(seed, overrides);
    if (single !== undefined) console.log(`seed ${seed}: ${describeConfig(config)}`);
    try {
      results.push(await runSimulation(config, replayCommand(seed, overrides)));
    } catch (error) {
      if (!(error instanceof SimFailure)) throw error;
      failures.push(error);
      console.error(error.message);
    }
  }
  console.log(summarize(results, failures.length, performance.now() - started));
  return reportFailures(failures, count, 'seeds');
}

runCli(main);
