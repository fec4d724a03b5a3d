#!/usr/bin/env node
// The `notary` command. Checks the Node version before anything else loads, then runs the CLI:
// the bundle `npm run build` writes (dist/cli, plain JavaScript, fast to start) while it is
// newer than every source it was built from, else the TypeScript sources through tsx (a fresh
// clone, or a source edited since the build). See docs/decisions.md.
import { readFileSync, statSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (!(major >= 22)) {
  console.error(
    `notary: Node ${process.versions.node} is too old; Node 22 or newer is needed. Run it as "npx notary ...", which uses the Node 24 the project installs.`,
  );
  process.exit(1);
}

const root = new URL('../', import.meta.url);
const bundle = new URL('dist/cli/notary.js', root);

/** The bundle, when it exists and no source it was built from changed since. */
function freshBundle() {
  try {
    const builtMs = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    return inputs.length > 0 && inputs.every((input) => statSync(new URL(input, root)).mtimeMs <= builtMs);
  } catch {
    return false; // not built, or a source was moved away: run the sources
  }
}

if (process.env.NOTARY_CLI_SOURCES !== '1' && freshBundle()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../electron/node/cli.ts');
}
