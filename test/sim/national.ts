// The national-scale simulation's command line:
//   npx tsx test/sim/national.ts --seed 1 --validators 31 --full-nodes 300 --heights 50
//   --seeds N         run seeds seed..seed+N-1
//   --no-faults       the quiet baseline (no faults, no byzantine validators)
//   --byzantine B     byzantine validators (default min(3, f))
//   --json FILE       also write the figures as JSON
// Prints the figures of each run; exits non-zero when a run fails, naming the seed and the
// command that replays it.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { integer, reportFailures, runCli } from './cli-args.js';
import { describeNational, nationalConfig, nationalReplay, type NationalOptions } from './national-scenario.js';
import { formatReport, nationalReport, type NationalReport } from './national-report.js';
import { runSimulation, SimFailure } from './simulation.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      seeds: { type: 'string' },
      validators: { type: 'string' },
      'full-nodes': { type: 'string' },
      heights: { type: 'string' },
      byzantine: { type: 'string' },
      'no-faults': { type: 'boolean' },
      json: { type: 'string' },
    },
  });
  const first = integer('seed', values.seed, 0) ?? 1;
  const count = integer('seeds', values.seeds, 1) ?? 1;
  const reports: Array<{ seed: number; report: NationalReport; wallMs: number }> = [];
  const failed: Array<{ seed: number; replay: string }> = [];
  for (let seed = first; seed < first + count; seed++) {
    const options: NationalOptions = {
      seed,
      validators: integer('validators', values.validators, 4) ?? 31,
      fullNodes: integer('full-nodes', values['full-nodes'], 4) ?? 300,
      heights: integer('heights', values.heights, 4) ?? 50,
      ...(values['no-faults'] ? { faults: false } : {}),
      ...(values.byzantine === undefined ? {} : { byzantine: integer('byzantine', values.byzantine, 0) }),
    };
    const config = nationalConfig(options);
    const replay = nationalReplay(options);
    console.log(`seed ${seed}:\n  ${describeNational(config)}`);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    try {
      const result = await runSimulation(config, replay);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuStarted);
      console.log(`cpu time ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (user ${(cpu.user / 1e6).toFixed(1)} s)`);
      const report = nationalReport(config, result);
      console.log(formatReport(report, wallMs));
      reports.push({ seed, report, wallMs });
      if (report.problems.length > 0) {
        console.error(`seed ${seed} FAILED:\n  ${report.problems.join('\n  ')}\n  replay: ${replay}`);
        failed.push({ seed, replay });
      }
    } catch (error) {
      if (!(error instanceof SimFailure)) throw error;
      console.error(error.message);
      failed.push({ seed, replay });
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(reports, jsonMaps, 2));
  return reportFailures(failed, count, 'runs');
}

function jsonMaps(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

runCli(main);
