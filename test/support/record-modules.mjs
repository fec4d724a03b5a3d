// Loaded with `node --import`: records the URL of every module the process loads (ESM and
// CommonJS, through Node's in-thread hooks) and writes them, one a line, to $RECORD_MODULES_FILE
// at exit. The CLI start test uses it to see what a command imports.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.RECORD_MODULES_FILE, [...loaded].join('\n')));
