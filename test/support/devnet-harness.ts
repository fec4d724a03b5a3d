// Real node processes on 127.0.0.1 for integration tests: writes a devnet, starts each node
// as `notary start`, talks to it through its HTTP API, and kills (-9) or restarts it. With a
// NetnsLab each node runs in its own network namespace at its own address (test/support/netns.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlockDetail, NodeStatus, OutboxEntryView, SubmitResult, TxStatus } from '../../shared/api/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { txHash, type Genesis, type Transaction } from '../../shared/ledger/index.js';
import { createDevnet, type DevnetNode } from '../../electron/node/dev/devnet.js';
import { TEST_CLOCK_OFFSET_FILE_ENV } from '../../electron/node/lifecycle/test-clock-offset.js';
import type { NetnsLab } from './netns.js';
import { freeBasePort } from './ports.js';

const CLI = fileURLToPath(new URL('../../electron/node/cli.ts', import.meta.url));

export class NodeProcess {
  process: ChildProcess | undefined;
  url = '';
  token = '';
  log = '';
  /** The public election gateway's address, when started with `--gateway`. */
  gateway = '';
  /** Environment of every start (and restart) of this node, under `start`'s own. */
  env: Record<string, string> = {};

  /** `namespace`: the network namespace the node runs in (`ip netns exec`, which keeps the pid). */
  constructor(
    readonly info: DevnetNode,
    readonly namespace?: string,
  ) {}

  /**
   * `extraArgs`: more `notary start` options, e.g. `--passphrase-file FILE` for a node with a keystore;
   * `env`: more environment, e.g. NOTARY_PROTOCOL_MAX=1 to play an office on the old release.
   */
  async start(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<void> {
    const argv = [process.execPath, '--import', 'tsx', CLI, 'start', '--data', this.info.dataDir, ...extraArgs];
    const [command, ...args] = this.namespace ? ['ip', 'netns', 'exec', this.namespace, ...argv] : argv;
    const child = spawn(command!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NOTARY_LOG_LEVEL: process.env.NOTARY_LOG_LEVEL ?? 'warn', ...this.env, ...env },
    });
    this.process = child;
    // DEVNET_LOG_DIR: every node's whole log in DIR/DEVNET/NAME.log (a failure on a CI machine keeps only the tail)
    const logFile = process.env.DEVNET_LOG_DIR
      ? join(process.env.DEVNET_LOG_DIR, basename(dirname(this.info.dataDir)), `${this.info.name}.log`)
      : undefined;
    if (logFile) mkdirSync(dirname(logFile), { recursive: true });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-20_000);
      if (logFile) appendFileSync(logFile, chunk);
    });
    this.url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${this.info.name} did not start in 60 s: ${this.log}`)), 60_000);
      const wantGateway = extraArgs.includes('--gateway');
      let resolved = false;
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /API (http:\/\/\S+\/api\/v1)/.exec(out);
        const gateway = /public election gateway (http:\/\/\S+)\//.exec(out);
        if (gateway) this.gateway = gateway[1]!;
        // the gateway's line follows the API's
        if (match && (!wantGateway || gateway) && !resolved) {
          resolved = true;
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.info.name} exited with ${code}: ${this.log}`));
      });
    });
    this.token = (await readFile(join(this.info.dataDir, 'api-token'), 'utf8')).trim();
  }

  /** The file of its clock's offset in ms, read while it runs when started with `movableClocks` (the soak's clock jumps). */
  get clockOffsetFile(): string {
    return join(this.info.dataDir, 'test-clock-offset-ms');
  }

  /** The browser UI of this node, with its token in the fragment (as `notary start` prints it). */
  get uiUrl(): string {
    return `${this.url.replace(/\/api\/v1$/, '')}/#token=${this.token}`;
  }

  kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** One gauge of the node's `/metrics` (Prometheus text), by name. */
  async metric(name: string): Promise<number> {
    const response = await fetch(`${this.url.replace(/\/api\/v1$/, '')}/metrics`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const line = new RegExp(`^${name} (\\S+)$`, 'm').exec(await response.text());
    if (!line) throw new Error(`no ${name} in ${this.info.name}'s /metrics`);
    return Number(line[1]);
  }

  async status(): Promise<NodeStatus> {
    return (await this.request<NodeStatus>('GET', '/status')).body;
  }
  async submit(tx: Transaction): Promise<SubmitResult> {
    const { status, body } = await this.request<SubmitResult & { error?: { code: string; message: string } }>(
      'POST',
      '/txs',
      tx,
    );
    if (status !== 202) throw new Error(`${this.info.name} refused a transaction: ${status} ${JSON.stringify(body)}`);
    return body;
  }
  /** Submits `tx` and returns the answer, refusals included: its HTTP status and error code. */
  async offer(tx: Transaction): Promise<{ status: number; code?: string; message?: string; hash: string }> {
    const { status, body } = await this.request<{ error?: { code: string; message: string } }>('POST', '/txs', tx);
    return {
      status,
      ...(body.error ? { code: body.error.code, message: body.error.message } : {}),
      hash: txHash(tx),
    };
  }

  async txStatus(hash: string): Promise<TxStatus> {
    return (await this.request<TxStatus>('GET', `/txs/${hash}`)).body;
  }
  /** A committed block with its commit certificate, or undefined above the head. */
  async block(height: number): Promise<BlockDetail | undefined> {
    const { status, body } = await this.request<BlockDetail>('GET', `/blocks/${height}`);
    return status === 200 ? body : undefined;
  }
  async outbox(): Promise<OutboxEntryView[]> {
    return (await this.request<OutboxEntryView[]>('GET', '/outbox')).body;
  }
  async setOffline(offline: boolean): Promise<void> {
    await this.request('POST', '/network', { offline });
  }
}

export class Devnet {
  private constructor(
    readonly dir: string,
    readonly genesis: Genesis,
    readonly nodes: NodeProcess[],
  ) {}

  static async create(options: {
    validators: number;
    observers: number;
    /** Notary offices that do not vote (REQ-VAL.1): `full-1`, `full-2`, …; default none. */
    fullNodes?: number;
    objects: number;
    /** A node-level heartbeat override (default 1 s, so tests see blocks); null: the chain's own. */
    heartbeatMs?: number | null;
    /** The genesis protocol version; default the latest. */
    protocolVersion?: number;
    snapshot?: { intervalBlocks?: number; keep?: number; chunkBytesTarget?: number };
    checkpoint?: { everyMs?: number; keepEntries?: number; witness?: boolean };
    /** The chain's checkpoint period (genesis params). */
    chainCheckpointEveryMs?: number;
    /** Each node in its lab namespace, in the lab's order (validators, full nodes, observers). */
    lab?: NetnsLab;
    /** Each node started with NOTARY_TEST_CLOCK_OFFSET_FILE=its `clockOffsetFile`. */
    movableClocks?: boolean;
  }): Promise<Devnet> {
    const { lab, movableClocks, ...devnetOptions } = options;
    const dir = await mkdtemp(join(tmpdir(), 'notary-devnet-'));
    const count = options.validators + (options.fullNodes ?? 0) + options.observers;
    // In a lab every node has its own addresses, so any port is free there.
    const basePort = lab ? 26_000 : await freeBasePort(count);
    const { nodes, genesis } = await createDevnet({
      dir,
      basePort,
      ...devnetOptions,
      ...(lab ? { hosts: lab.spec.nodes.map((node) => node.host) } : {}),
      consensus: options.heartbeatMs === null ? {} : { heartbeatMs: options.heartbeatMs ?? 1_000 },
    });
    // REJECT: a lab whose nodes are not the devnet's, in its order
    if (lab && lab.spec.nodes.map((node) => node.name).join() !== nodes.map((node) => node.name).join())
      throw new Error(`the lab's nodes (${lab.spec.nodes.map((node) => node.name).join(', ')}) are not the devnet's`);
    const processes = nodes.map((node) => new NodeProcess(node, lab?.node(node.name).namespace));
    if (movableClocks) for (const node of processes) node.env[TEST_CLOCK_OFFSET_FILE_ENV] = node.clockOffsetFile;
    return new Devnet(dir, genesis, processes);
  }

  node(name: string): NodeProcess {
    const node = this.nodes.find((candidate) => candidate.info.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  async signingKey(name: string): Promise<KeyPair> {
    return JSON.parse(await readFile(join(this.node(name).info.dataDir, 'signing-key.json'), 'utf8')) as KeyPair;
  }

  /**
   * Starts every node; `batch`: at most this many starting at once (each start compiles and opens
   * its store, which on a small machine with many nodes is the slow part). Default all at once.
   */
  async startAll(batch = this.nodes.length): Promise<void> {
    for (let i = 0; i < this.nodes.length; i += batch)
      await Promise.all(this.nodes.slice(i, i + batch).map((node) => node.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
