// The national network in small (issue 14): 31 validators and 30 non-voting full nodes on a
// gossip mesh with country latencies, with the simulator's faults, byzantine validators, a
// validator leaving and a full node joining the set by authority transactions, and an upgrade
// height. Safety is checked after every event (invariants.ts), liveness after the heal; here
// also the set change at H + 2, the upgrade at exactly H, and bounds on finality and traffic.
// The full-size figures (31 + 300) are in docs/performance.md: npx tsx test/sim/national.ts.
import { describe, expect, it } from 'vitest';
import { nationalConfig, nationalReplay, type NationalOptions } from './national-scenario.js';
import { boundsProblems, formatReport, nationalReport, type NationalBounds } from './national-report.js';
import { runSimulation } from './simulation.js';

/** Virtual time and bytes a healthy run stays well within; a regression of either shows here. */
const BOUNDS: NationalBounds = {
  finalityP99ValidatorMs: 15_000,
  finalityP99FullNodeMs: 15_000,
  // 6.3 MiB here now; 9.5 MiB before decision #53, when re-sent commits echoed for ever.
  fullNodeBytesPerBlockMax: 8 * 1024 * 1024,
  transfersCommittedMin: 1,
};
/** A run takes ~10 s of one core here; the machine is shared, so the timeout leaves room. */
const RUN_TIMEOUT_MS = 180_000;

async function run(options: NationalOptions) {
  const config = nationalConfig(options);
  const result = await runSimulation(config, nationalReplay(options));
  const report = nationalReport(config, result);
  return { config, result, report };
}

describe('national network simulation: 31 validators + 30 full nodes [REQ-CONS.1] [REQ-VAL.1]', () => {
  it(
    'stays safe and live with faults, changes its validator set at H + 2 and upgrades at exactly H',
    async () => {
      const options: NationalOptions = { seed: 1, validators: 31, fullNodes: 30, heights: 8 };
      const started = performance.now();
      const { report } = await run(options);
      console.log(`${nationalReplay(options)}\n${formatReport(report, performance.now() - started)}`);
      expect(report.problems, nationalReplay(options)).toEqual([]);
      expect(boundsProblems(report, BOUNDS), nationalReplay(options)).toEqual([]);
      expect(report.heights).toBeGreaterThanOrEqual(8);
      expect(report.validatorChange.effectiveHeight).toBe(report.validatorChange.txHeight! + 2);
      expect(report.upgrade!.enabledTxHeights[0]).toBeGreaterThanOrEqual(report.upgrade!.height);
      expect(report.upgrade!.stopped.map((stop) => stop.height)).toEqual([
        report.upgrade!.height,
        report.upgrade!.height,
      ]);
      expect(report.upgrade!.stopped[0]!.sentence).toMatch(/protocol version 2/);
      // Full nodes never vote: every vote on the wire is a validator's (checked by the invariants),
      // and they receive what validators receive, give or take the mesh.
      expect(report.traffic.fullNodes.receivedBytes).toBeGreaterThan(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'the bounds fail a run that misses them',
    async () => {
      const { report } = await run({ seed: 2, validators: 31, fullNodes: 30, heights: 6, faults: false });
      expect(boundsProblems(report, BOUNDS)).toEqual([]);
      const tight: NationalBounds = { ...BOUNDS, finalityP99ValidatorMs: 1, fullNodeBytesPerBlockMax: 1 };
      expect(boundsProblems(report, tight)).toEqual([
        expect.stringMatching(/^finality p99 seen by a validator/),
        expect.stringMatching(/^a full node received/),
      ]);
    },
    RUN_TIMEOUT_MS,
  );
});
