// Bundles Electron main (ESM) and the preload (CommonJS, as a sandboxed preload must be) into
// dist/electron with esbuild. npm packages stay external: electron-builder ships node_modules
// (classic-level's native module unpacked from the asar, electron-builder.yml).
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
console.log(`electron main, verify worker and preload bundled into dist/electron in ${Date.now() - started} ms`);
