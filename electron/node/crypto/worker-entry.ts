// Where the node's worker script is (verify-worker.ts): bundled next to the Electron main bundle
// and the CLI (electron/build.ts), or, when the node runs from its TypeScript sources (tsx,
// vitest), the source entry that registers tsx first. Started by VerifyPool, and by a
// checkpoint's statement tree job (checkpoint/tree-worker.ts). Apart so that neither imports the other.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerEntry(): URL {
  const bundled = new URL('./verify-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return bundled;
  return new URL('./verify-worker-source.mjs', import.meta.url);
}
