#!/usr/bin/env node
// The `notary` command. Checks the Node version before anything else loads, then runs the
// TypeScript CLI through tsx (no build step; see docs/decisions.md).
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= 22)) {
  console.error(`notary: Node ${process.versions.node} is too old; Node 22 or newer is needed. Run it as "npx notary ...", which uses the Node 24 the project installs.`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import('../electron/node/cli.ts');
