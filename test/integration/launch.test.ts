// `npm start` where no window can open (this machine): one line saying so, then the node
// headless on a first-run dev chain, with the UI served at the address it prints. A second
// start reuses the data folder and its chain.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-launch-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function launch(): Promise<{ child: ChildProcess; lines: string[]; url: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/launch.ts'], {
    env: { ...process.env, NOTARY_DATA: join(dir, 'node'), DISPLAY: '', WAYLAND_DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no UI address within 60 s:\n${lines.join('\n')}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      lines.push(...text.split('\n').filter(Boolean));
      const line = lines.find((candidate) => candidate.includes('open the UI at'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, lines, url: line.slice(line.indexOf('http')), ms: Date.now() - started });
      }
    });
    child.once('exit', (code) => reject(new Error(`launch exited with ${code}:\n${lines.join('\n')}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start without a display', () => {
  it('says why in one line, starts the dev node headless and serves the UI with its token at the printed address', async () => {
    const { child, lines, url } = await launch();
    expect(lines.filter((line) => line.includes('desktop window cannot open'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('created a dev chain'))).toBe(true);
    const { origin, hash } = new URL(url);
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const token = /^#token=([0-9a-f]{64})$/.exec(hash)?.[1];
    expect(token).toBeDefined();
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    const status = await fetch(`${origin}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(await status.json()).toMatchObject({ chainId: 'by-registry-dev', role: 'notary' });
    expect(await stop(child)).toBe(0);
  });

  it('starts again on the same data folder without creating a new chain', async () => {
    const { child, lines } = await launch();
    expect(lines.some((line) => line.includes('created a dev chain'))).toBe(false);
    expect(await stop(child)).toBe(0);
  });
});
