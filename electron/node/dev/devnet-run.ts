// `npm run devnet`: a whole registry network on this machine. Creates a devnet of 4
// validators and 1 observer in .devnet/ on first run (then reuses it), starts every node as
// its own `notary start` process, and prints each node's API address and, every few seconds,
// the heights and peers. Ctrl-C stops them all.
import '../runtime-check.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { createDevnet, type DevnetNode } from './devnet.js';

const options = new Command()
  .name('devnet')
  .option('--dir <dir>', 'network folder', '.devnet')
  .option('--validators <n>', 'validators on first creation', '4')
  .option('--full-nodes <n>', 'non-voting notary offices on first creation', '0')
  .option('--observers <n>', 'observers on first creation', '1')
  .option('--base-port <port>', 'first TCP port on first creation', '47100')
  .parse()
  .opts<{ dir: string; validators: string; fullNodes: string; observers: string; basePort: string }>();

const dir = resolve(options.dir);
const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
let nodes: DevnetNode[];
if (existsSync(join(dir, 'devnet.json'))) {
  nodes = (JSON.parse(await readFile(join(dir, 'devnet.json'), 'utf8')) as { nodes: DevnetNode[] }).nodes;
  console.log(`devnet: reusing the network in ${dir}`);
} else {
  ({ nodes } = await createDevnet({
    dir,
    validators: Number(options.validators),
    fullNodes: Number(options.fullNodes),
    observers: Number(options.observers),
    basePort: Number(options.basePort),
    objects: 1_000,
  }));
  console.log(`devnet: created a network of ${nodes.length} nodes in ${dir}`);
}

const children = new Map<string, ChildProcess>();
const apis = new Map<string, { url: string; token: string }>();
for (const node of nodes) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'start', '--data', node.dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Five nodes' block-by-block logs would bury the summary; NOTARY_LOG_LEVEL=info shows them.
    env: { ...process.env, NOTARY_LOG_LEVEL: process.env.NOTARY_LOG_LEVEL ?? 'warn' },
  });
  children.set(node.name, child);
  child.stdout!.on('data', async (chunk: Buffer) => {
    const match = /API (http:\/\/\S+\/api\/v1)/.exec(chunk.toString());
    if (!match) return;
    const token = (await readFile(join(node.dataDir, 'api-token'), 'utf8')).trim();
    apis.set(node.name, { url: match[1]!, token });
    console.log(
      `devnet: ${node.name.padEnd(11)} ${node.role.padEnd(9)} API ${match[1]}  (token: ${join(node.dataDir, 'api-token')})`,
    );
  });
  child.on('exit', (code, signal) => {
    children.delete(node.name);
    if (!stopping) console.error(`devnet: ${node.name} stopped (${signal ?? `exit ${code}`}); see its messages above`);
  });
}

let stopping = false;
function stop(): void {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3_000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

setInterval(async () => {
  const lines = await Promise.all(
    [...apis].map(async ([name, api]) => {
      try {
        const response = await fetch(`${api.url}/status`, {
          headers: { authorization: `Bearer ${api.token}` },
          signal: AbortSignal.timeout(2_000),
        });
        const status = (await response.json()) as { height: number; peers: number; online: boolean };
        return `${name} h${status.height} p${status.peers}${status.online ? '' : ' OFFLINE'}`;
      } catch {
        return `${name} not answering`;
      }
    }),
  );
  if (lines.length > 0 && !stopping) console.log(`devnet: ${lines.join(' | ')}`);
}, 5_000).unref();
