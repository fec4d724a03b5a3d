// Bundles Electron main (ESM) and the preload (CommonJS, as a sandboxed preload must be) into
// dist/electron, and the `notary` CLI into dist/cli, with esbuild. npm packages stay external:
// electron-builder ships node_modules (classic-level's native module unpacked from the asar,
// electron-builder.yml).
import { rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const started = Date.now();
// Main and the signature verify worker (electron/node/crypto/verify-pool.ts), which is started
// from a file: bundled next to the main bundle, where the pool looks for it
// (new URL('./verify-worker.js', import.meta.url)).
await build({
  entryPoints: { index: 'electron/main/index.ts', 'verify-worker': 'electron/node/crypto/verify-worker.ts' },
  outdir: 'dist/electron/main',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
await build({
  entryPoints: ['electron/preload/index.ts'],
  outfile: 'dist/electron/preload/index.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
// The `notary` CLI, so that bin/notary.js starts without compiling TypeScript (tsx) at every
// call: split at its dynamic imports, so a command loads only its own code (cli/commands.ts).
// inputs.json lists the sources it was built from; bin/notary.js runs the bundle only while
// none of them is newer than it, and the sources through tsx otherwise (docs/decisions.md).
await rm('dist/cli', { recursive: true, force: true }); // chunk names change with their content
const cli = await build({
  entryPoints: { notary: 'electron/node/cli.ts', 'verify-worker': 'electron/node/crypto/verify-worker.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
await writeFile(
  'dist/cli/inputs.json',
  `${JSON.stringify({ inputs: Object.keys(cli.metafile.inputs).sort() }, null, 2)}\n`,
);
console.log(
  `electron main, verify worker, preload and the notary CLI bundled into dist/ in ${Date.now() - started} ms`,
);
