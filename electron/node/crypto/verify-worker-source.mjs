// The verify worker's entry when the node runs from the TypeScript sources (tsx, vitest):
// a worker thread starts without the parent's module hooks, so register tsx here first.
// The Electron bundle starts dist/electron/main/verify-worker.js instead (electron/build.ts).
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
