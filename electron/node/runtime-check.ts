// Imported first by every entry point: libp2p needs Node >= 22 (Promise.withResolvers),
// and the project pins Node 24 for npm scripts. A direct run on an older Node stops here,
// at once, with a sentence instead of a stack trace from deep inside a dependency.
const NODE_MAJOR_MIN = 22;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= NODE_MAJOR_MIN)) {
  console.error(
    `notary: Node ${process.versions.node} is too old; Node ${NODE_MAJOR_MIN} or newer is needed. ` +
      'Run it through npm (npm run ..., npx notary ...), which uses the Node 24 the project installs.',
  );
  process.exit(1);
}
export {};
