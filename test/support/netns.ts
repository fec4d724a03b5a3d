// A network lab in Linux network namespaces (issue 19, "Real partitions"), so a nemesis cuts
// links at the kernel and not in the node. One namespace holds a switch (a bridge), each node
// gets its own namespace with one veth into the switch and one address in 10.213.0.0/24, and a
// "client" namespace holds the test driver (the root namespace gets no address on the bridge:
// traffic stays inside namespaces this lab made). Faults:
//   cut / restore      the node's link down at the switch (a pulled cable: its API is unreachable too)
//   isolate            nftables: the node's frames reach only the client (its API still answers)
//   split              nftables: no frame between nodes of different groups; bridge nodes see all
//   loss               nftables: a share of one direction's frames dropped (one-way loss)
//   flap               the link down and up every period, for a while
//   healAll            no rule, every link up
// Needs root and `ip netns`; the nftables faults need `nft` (Debian's `nftables`).
// Namespaces are named `notary-lab-<pid>-<role>`: a run removes its own on exit and those of runs
// whose process is gone.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LAB_PREFIX = 'notary-lab-';
/** A subnet nothing else here uses; its addresses exist only inside the lab's namespaces. */
export const LAB_SUBNET = '10.213.0';
const CLIENT_ADDRESS = `${LAB_SUBNET}.2`;
const FIRST_NODE_HOST = 11;
const NODES_MAX = 200;
const NFT_TABLE = 'notary_lab';
/** The environment variable that hands a lab to the driver re-executed inside the client namespace. */
export const LAB_ENV = 'NOTARY_NETNS_LAB';

export interface LabSpec {
  id: string;
  switchNamespace: string;
  clientNamespace: string;
  nodes: Array<{ name: string; namespace: string; host: string; port: string }>;
  nft: boolean;
}

export interface LabEvent {
  atMs: number;
  at: string;
  operation: string;
}

type Rule = { key: string; text: string };

/** Why a lab cannot be made here, or undefined when it can (root, `ip netns`). */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, as CI does)';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return `\`ip netns\` is not available: ${probe.error?.message ?? probe.stderr.trim()}`;
  return undefined;
}

/** Whether `nft` (nftables) is installed: split, isolate and loss need it. */
export function nftAvailable(): boolean {
  const probe = spawnSync('nft', ['--version'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args, { timeout: 10_000 })).stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function labNamespaces(): Promise<string[]> {
  return (await ip('netns', 'list'))
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.startsWith(LAB_PREFIX));
}

/** Ends the processes left in a lab namespace (the nodes of this lab's run) and deletes it. */
async function removeNamespace(namespace: string): Promise<void> {
  const pids = await ip('netns', 'pids', namespace).catch(() => '');
  for (const pid of pids.split('\n').filter(Boolean).map(Number))
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  await ip('netns', 'delete', namespace).catch(() => undefined);
}

/** Deletes the namespaces of labs whose run has ended without cleaning up (killed, crashed). */
export async function removeStaleLabs(): Promise<string[]> {
  const stale = (await labNamespaces()).filter((namespace) => {
    const pid = Number(/^notary-lab-(\d+)-/.exec(namespace)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && !alive(pid);
  });
  for (const namespace of stale) await removeNamespace(namespace);
  return stale;
}

export class NetnsLab {
  readonly events: LabEvent[] = [];
  #rules: Rule[] = [];
  #flaps = new Map<string, { stop: () => void; done: Promise<void> }>();

  private constructor(readonly spec: LabSpec) {}

  /**
   * Makes the switch, the client and one namespace per node (`port`: the node's TCP port, the
   * same in every namespace since each has its own addresses).
   */
  static async create(names: string[], options: { port?: number } = {}): Promise<NetnsLab> {
    if (names.length < 1 || names.length > NODES_MAX) throw new Error(`a lab holds 1 to ${NODES_MAX} nodes`);
    await removeStaleLabs();
    const id = `${LAB_PREFIX}${process.pid}`;
    const port = String(options.port ?? 26_656);
    const spec: LabSpec = {
      id,
      switchNamespace: `${id}-switch`,
      clientNamespace: `${id}-client`,
      nodes: names.map((name, i) => ({
        name,
        namespace: `${id}-${i + 1}`,
        host: `${LAB_SUBNET}.${FIRST_NODE_HOST + i}`,
        port,
      })),
      nft: nftAvailable(),
    };
    const lab = new NetnsLab(spec);
    try {
      await ip('netns', 'add', spec.switchNamespace);
      await ip('-n', spec.switchNamespace, 'link', 'add', 'lab0', 'type', 'bridge');
      await ip('-n', spec.switchNamespace, 'link', 'set', 'lab0', 'up');
      await lab.#attach(spec.clientNamespace, 'client', CLIENT_ADDRESS);
      for (const [i, node] of spec.nodes.entries()) await lab.#attach(node.namespace, lab.#port(i), node.host);
      if (spec.nft) await lab.#applyRules();
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    lab.#log(`lab up: ${spec.nodes.map((node) => `${node.name} ${node.host}`).join(', ')}; nft ${spec.nft}`);
    return lab;
  }

  /** The lab a parent process made, inside the driver it re-executed in the client namespace. */
  static fromEnvironment(): NetnsLab | undefined {
    const json = process.env[LAB_ENV];
    return json ? new NetnsLab(JSON.parse(json) as LabSpec) : undefined;
  }

  /** A namespace with a veth whose other end (`switchPort`) is a port of the switch's bridge. */
  async #attach(namespace: string, switchPort: string, address: string): Promise<void> {
    const { switchNamespace } = this.spec;
    await ip('netns', 'add', namespace);
    // Made inside the switch namespace, so no interface ever appears in the root namespace.
    await ip(
      '-n',
      switchNamespace,
      'link',
      'add',
      switchPort,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      namespace,
    );
    await ip('-n', switchNamespace, 'link', 'set', switchPort, 'master', 'lab0', 'up');
    await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    await ip('-n', namespace, 'link', 'set', 'lo', 'up');
  }

  #port(index: number): string {
    return `node${index + 1}`;
  }

  #portOf(name: string): string {
    const index = this.spec.nodes.findIndex((node) => node.name === name);
    if (index < 0) throw new Error(`no node ${name} in the lab`);
    return this.#port(index);
  }

  node(name: string): LabSpec['nodes'][number] {
    const node = this.spec.nodes.find((candidate) => candidate.name === name);
    if (!node) throw new Error(`no node ${name} in the lab`);
    return node;
  }

  /** argv that runs `argv` inside the node's namespace (`ip netns exec` execs it: same pid). */
  exec(name: string, argv: string[]): string[] {
    return ['ip', 'netns', 'exec', this.node(name).namespace, ...argv];
  }

  /** The node's cable pulled at the switch: nothing in or out, its API unreachable too. */
  async cut(name: string): Promise<void> {
    await ip('-n', this.spec.switchNamespace, 'link', 'set', this.#portOf(name), 'down');
    this.#log(`cut ${name} (link down at the switch)`);
  }

  async restore(name: string): Promise<void> {
    await ip('-n', this.spec.switchNamespace, 'link', 'set', this.#portOf(name), 'up');
    this.#log(`restored ${name} (link up)`);
  }

  /** The node reaches no other node, only the client (the driver still reads its status). */
  async isolate(name: string): Promise<void> {
    const others = this.spec.nodes.filter((node) => node.name !== name).map((node) => node.name);
    await this.#setRules([...this.#rules, ...this.#between(`isolate ${name}`, [name], others)]);
    this.#log(`isolate ${name} from ${others.join(', ')} (nftables)`);
  }

  /**
   * No frame between nodes of different groups; nodes in no group (a bridge node) and the client
   * see everyone. E.g. split([['node-1', 'node-2'], ['node-3', 'node-4']]).
   */
  async split(groups: string[][]): Promise<void> {
    const rules: Rule[] = [];
    for (const [i, group] of groups.entries())
      for (const other of groups.slice(i + 1)) rules.push(...this.#between(`split`, group, other));
    await this.#setRules([...this.#rules, ...rules]);
    const inNoGroup = this.spec.nodes.map((node) => node.name).filter((name) => !groups.flat().includes(name));
    this.#log(
      `split ${groups.map((group) => group.join('+')).join(' | ')}${inNoGroup.length > 0 ? `; sees both: ${inNoGroup.join(', ')}` : ''} (nftables)`,
    );
  }

  /** One-way loss: `percent` of the frames from `from` to each of `to` dropped, the other way untouched. */
  async loss(from: string, to: string[], percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new Error('loss percent must be 1 to 100');
    const match = `iifname "${this.#portOf(from)}" oifname { ${to.map((name) => `"${this.#portOf(name)}"`).join(', ')} }`;
    const drop = percent === 100 ? 'drop' : `numgen random mod 100 < ${percent} drop`;
    await this.#setRules([...this.#rules, { key: `loss ${from}`, text: `${match} ${drop}` }]);
    this.#log(`loss ${percent}% from ${from} to ${to.join(', ')} (one way, nftables)`);
  }

  /** The link down and up every `periodMs` (down half of it) until `durationMs` passed or healAll. */
  flap(name: string, periodMs: number, durationMs: number): Promise<void> {
    if (periodMs < 100) throw new Error('a flap period under 100 ms is not a link, it is noise');
    let stopped = false;
    let wake: () => void = () => undefined;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const port = this.#portOf(name);
    const done = (async () => {
      this.#log(`flap ${name} every ${periodMs} ms for ${durationMs} ms`);
      const end = Date.now() + durationMs;
      let flips = 0;
      while (!stopped && Date.now() < end) {
        await ip('-n', this.spec.switchNamespace, 'link', 'set', port, 'down');
        flips++;
        await sleep(periodMs / 2);
        await ip('-n', this.spec.switchNamespace, 'link', 'set', port, 'up');
        if (!stopped) await sleep(periodMs / 2);
      }
      this.#flaps.delete(name);
      this.#log(`flap ${name} over: ${flips} times down, link up`);
    })();
    this.#flaps.set(name, {
      stop: () => {
        stopped = true;
        wake();
      },
      done,
    });
    return done;
  }

  /** Every rule removed, every flap stopped, every link up. */
  async healAll(): Promise<void> {
    for (const flap of this.#flaps.values()) flap.stop();
    await Promise.all([...this.#flaps.values()].map((flap) => flap.done));
    if (this.spec.nft) await this.#setRules([]);
    for (const [i] of this.spec.nodes.entries())
      await ip('-n', this.spec.switchNamespace, 'link', 'set', this.#port(i), 'up');
    this.#log('healed: no rules, every link up');
  }

  /** Removes every namespace of this lab and ends what still runs in them. */
  async destroy(): Promise<void> {
    for (const flap of this.#flaps.values()) flap.stop();
    const { switchNamespace, clientNamespace, nodes } = this.spec;
    for (const namespace of [...nodes.map((node) => node.namespace), clientNamespace, switchNamespace])
      await removeNamespace(namespace);
    this.#log('lab removed');
  }

  #between(key: string, a: string[], b: string[]): Rule[] {
    const set = (names: string[]) => `{ ${names.map((name) => `"${this.#portOf(name)}"`).join(', ')} }`;
    if (a.length === 0 || b.length === 0) return [];
    return [
      { key, text: `iifname ${set(a)} oifname ${set(b)} drop` },
      { key, text: `iifname ${set(b)} oifname ${set(a)} drop` },
    ];
  }

  async #setRules(rules: Rule[]): Promise<void> {
    if (!this.spec.nft)
      throw new Error('nftables is not installed (apt-get install nftables): no split, isolate or loss');
    this.#rules = rules;
    await this.#applyRules();
  }

  /** Replaces the switch's whole rule set in one nft transaction. */
  async #applyRules(): Promise<void> {
    const script = [
      `table bridge ${NFT_TABLE}`,
      `delete table bridge ${NFT_TABLE}`,
      `table bridge ${NFT_TABLE} {`,
      '  chain cuts {',
      '    type filter hook forward priority 0; policy accept;',
      ...this.#rules.map((rule) => `    ${rule.text}`),
      '  }',
      '}',
      '',
    ].join('\n');
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'ip',
        ['netns', 'exec', this.spec.switchNamespace, 'nft', '-f', '-'],
        { timeout: 10_000 },
        (error, _stdout, stderr) =>
          error ? reject(new Error(`nft refused the rules: ${stderr}\n${script}`)) : resolve(),
      );
      child.stdin!.end(script);
    });
  }

  #log(operation: string): void {
    const atMs = Date.now();
    const event = { atMs, at: new Date(atMs).toISOString(), operation };
    this.events.push(event);
    console.log(`[lab ${event.at.slice(11, 23)}] ${operation}`);
  }
}

/**
 * Runs the calling script inside a lab: in the parent, makes the lab, re-executes the script
 * (same arguments) in the client namespace with the lab in LAB_ENV, removes the lab when the
 * child ends (or on SIGINT/SIGTERM) and exits with the child's status. In that child, returns the lab.
 */
export async function enterLab(names: string[], script: string): Promise<NetnsLab> {
  const inside = NetnsLab.fromEnvironment();
  if (inside) return inside;
  const unavailable = labUnavailable();
  if (unavailable) throw new Error(`no network namespaces here: ${unavailable}`);
  const lab = await NetnsLab.create(names);
  const { spawn } = await import('node:child_process');
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.spec.clientNamespace, process.execPath, '--import', 'tsx', script, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [LAB_ENV]: JSON.stringify(lab.spec) } },
  );
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  const code = await new Promise<number>((resolve) => {
    child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    child.once('error', () => resolve(1));
  });
  await lab.destroy();
  process.exit(code);
}
