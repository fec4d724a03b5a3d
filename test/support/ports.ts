// TCP ports for test networks whose nodes listen on fixed ports (a devnet's config names each
// peer's address). Chosen below the kernel's ephemeral range, where no outgoing connection or
// port-0 listener of another test can hold one, and each port is checked free before use: a
// port drawn at random in the ephemeral range was taken by another test's connection between
// the draw and the node's listen (EADDRINUSE, seen in CI with two test workers).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const LOWEST = 20_000;

async function ephemeralLow(): Promise<number> {
  try {
    const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > LOWEST + 1_000 ? value : 32_768;
  } catch {
    return 32_768; // not Linux: the IANA range starts at 49152, Linux's default at 32768
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A first port such that `count` consecutive ports are free now, all below the ephemeral range. */
export async function freeBasePort(count: number): Promise<number> {
  const high = (await ephemeralLow()) - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free TCP ports between ${LOWEST} and the ephemeral range`);
}
