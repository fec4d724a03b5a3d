// `npm start`: opens the desktop app where Electron can run. Where it cannot (no display, or
// no Electron binary and no way to download it), it says so in one line and runs the same
// node headless on the embedded default (a dev chain in data/dev-node) with the UI served on
// http://127.0.0.1:PORT, printing that address.
import './node/runtime-check.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevNode } from './node/dev/dev-node.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(process.env.NOTARY_DATA ?? join(root, 'data', 'dev-node'));
const apiPort = Number(process.env.NOTARY_API_PORT ?? 0);
const forceHeadless = process.argv.includes('--headless') || process.env.NOTARY_HEADLESS === '1';
const started = Date.now();

/** Why the window cannot open here, or undefined when it can. */
function electronUnavailable(): string | undefined {
  if (forceHeadless) return 'headless mode was asked for';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'this machine has no display';
  const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const binary = () => {
    const pathFile = join(electronDir, 'path.txt');
    return existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;
  };
  if (!binary() || !existsSync(binary()!)) {
    // Electron 45 fetches its binary on first launch; give it a bounded chance.
    console.log('notary: fetching the Electron binary (first launch)...');
    const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      stdio: 'ignore',
      timeout: 120_000,
    });
    if (fetched.status !== 0 || !binary() || !existsSync(binary()!))
      return 'the Electron binary could not be downloaded';
  }
  return undefined;
}

async function main(): Promise<void> {
  const { created, passphrase } = await ensureDevNode(dataDir);
  if (created) console.log(`notary: created a dev chain (demo registry, this node its notary) in ${dataDir}`);

  const reason = electronUnavailable();
  if (!reason) {
    const electron = createRequire(import.meta.url)('electron') as string;
    const child = spawn(electron, [root], { stdio: 'inherit', env: { ...process.env, NOTARY_DATA: dataDir } });
    child.on('exit', (code) => process.exit(code ?? 0));
  } else {
    console.log(
      `notary: the desktop window cannot open (${reason}); running the node headless with its UI in the browser instead.`,
    );
    // a newcomer sees the address, not a block log every second; NOTARY_LOG_LEVEL=info shows it
    process.env.NOTARY_LOG_LEVEL ??= 'warn';
    const { NotaryNode } = await import('./node/node.js');
    const node = await NotaryNode.start({
      dataDir,
      ...(passphrase === undefined ? {} : { passphrase }),
      ...(apiPort > 0 ? { api: { host: '127.0.0.1', port: apiPort } } : {}),
    });
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await node.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    const url = await node.uiUrl();
    console.log(
      `notary: node ${node.config.name} (${node.config.role}) at height ${node.chain.head.height}, data in ${dataDir}`,
    );
    console.log(
      url
        ? `notary: open the UI at ${url}`
        : `notary: the UI is not built (npm run build:renderer); the API is at ${node.apiUrl}/api/v1`,
    );
    console.log(`notary: ready in ${Date.now() - started} ms; Ctrl+C stops it`);
  }
}

main().catch((error: unknown) => {
  console.error(`notary: ${(error as Error).message}`);
  process.exit(1);
});
