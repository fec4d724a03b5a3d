// CI runs the benchmark in its quick mode (issue #6): every figure must be produced without
// an error. Speed never fails it: the machine is shared, and the ratios are for reading.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES, runBench, type BenchResults } from '../bench/run.js';

describe('npm run bench -- --quick', () => {
  it('produces every figure of the issue, each with its limit from the same run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notary-bench-quick-'));
    try {
      const output = join(dir, 'bench-results.json');
      const results = await runBench({ quick: true, output, print: false });
      const written = JSON.parse(await readFile(output, 'utf8')) as BenchResults;
      expect(written.figures).toHaveLength(results.figures.length);
      expect(new Set(results.figures.map((f) => f.figure))).toEqual(new Set(FIGURES));
      for (const f of results.figures) {
        expect(Number.isFinite(f.value), `${f.figure}: ${f.what}`).toBe(true);
        expect(f.value).toBeGreaterThan(0);
        if (f.limit !== undefined) expect(f.ratio).toBeCloseTo(f.value / f.limit, 6);
      }
      for (const name of ['ingest', 'sync', 'gossip', 'network', 'election']) {
        expect(
          results.figures.some((f) => f.figure === name && f.limit !== undefined && f.limit > 0),
          name,
        ).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
