// An election on a devnet of validator processes, brought to the phase a test needs through the
// real CLI, as a commission and its trustees run one (docs/elections.md C.2): the registrars
// create it, the trustees deal, check their shares and fix the key, offices register
// credentials, voters cast, the window closes and a quorum of trustees decrypts. Shared by the
// CLI's end-to-end test and the UI journeys (the voter's page, the commission's screens).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Devnet, waitFor, type NodeProcess } from './devnet-harness.js';
import { runNotary } from './notary-cli.js';
import type { NetnsLab } from './netns.js';

export interface Contest {
  title: string;
  choices: string[];
  min: number;
  max: number;
}

/** What `notary election status --json` prints (the fields the tests read). */
export interface ElectionView {
  phase: 'keygen' | 'voting' | 'closed' | 'final';
  counts?: number[][];
  voters: number;
  ballots: number;
  roll: { size: number };
  opensAtMs: number;
  closesAtMs: number;
  answersUntilMs: number;
  dealt: number[];
  decrypted: number[];
}

export interface CredentialPair {
  publicKey: string;
  secretKey: string;
}

export interface ElectionFixtureOptions {
  id?: string;
  title?: string;
  contests?: Contest[];
  districts?: string[];
  /** Node names of the trustees, in order; default node-2, node-3, node-4. */
  trustees?: string[];
  /** Default a majority of the trustees (2 of 3). */
  threshold?: number;
  rollMax?: number;
  /** Seconds the trustees have to deal; default 15 a trustee, at least 30. */
  dealsSeconds?: number;
  /** Seconds the voting window stays open once the key is fixed; default 300. */
  votingSeconds?: number;
  /**
   * Where to stop: `keygen` right after creation, `voting` once the key is fixed (default), `none`
   * before creation (the test creates the election itself, e.g. on the commission's screen, with
   * `trusteeKey`'s keystores, and then calls `fixKey`).
   */
  phase?: 'none' | 'keygen' | 'voting';
  /** Passed to Devnet.create; default 4 validators, no observers, no objects. */
  validators?: number;
  observers?: number;
  /** Passed to Devnet.create: each node's clock moved by its offset file (the soak's clock jumps). */
  movableClocks?: boolean;
  /** Passed to Devnet.create: each node in its own network namespace; the gateway listens on its node's lab address. */
  lab?: NetnsLab;
  /** Runs after the devnet is written and before any node starts (e.g. data folders on small disks). */
  beforeStart?: (devnet: Devnet) => Promise<void>;
  /** Adds an observer serving the public election gateway (`notary start --gateway`): `fixture.gateway`. */
  gateway?: boolean;
  /** The gateway's limits (config.json `gateway`), e.g. a bench's many requests from one address. */
  gatewayLimits?: { perAddressPerMinute?: number; perAddressBurst?: number; connectionsMax?: number };
  /**
   * Where the trustees' keystores live and their steps run: `cli` (default) the `notary election`
   * commands with a keystore file each; `node` each trustee's own node, through its trustee routes
   * (DATA/trustees/<id>.json, the commission's screens' path).
   */
  trusteesOn?: 'cli' | 'node';
  /** Prints each step's time since the start (CI logs say where a slow run spent it). */
  log?: (line: string) => void;
}

export const DEFAULT_CONTESTS: Contest[] = [
  { title: 'Mayor', choices: ['Ann', 'Boris', 'Chen'], min: 1, max: 1 },
  { title: 'Council', choices: ['Dana', 'Egor', 'Fedor', 'Galina'], min: 0, max: 2 },
];

export class ElectionFixture {
  readonly id: string;
  readonly contests: Contest[];
  readonly districts: string[];
  readonly trustees: string[];
  readonly threshold: number;
  /** The observer serving the public gateway (its `gateway` is the address), when asked for. */
  gateway: NodeProcess | undefined;
  /** The gateway's `notary start` options, for a restart (in a lab, its node's address). */
  gatewayArgs = ['--gateway', '127.0.0.1:0'];
  /** What key generation printed, when `start` ran it. */
  keygen: { dealt: number[]; checks: string[]; key: string } | undefined;
  readonly #log: (line: string) => void;
  readonly #startedAtMs = Date.now();

  private constructor(
    readonly devnet: Devnet,
    private readonly options: ElectionFixtureOptions,
  ) {
    this.id = options.id ?? 'city-2026';
    this.contests = options.contests ?? DEFAULT_CONTESTS;
    this.districts = options.districts ?? ['Minsk', 'Brest'];
    this.trustees = options.trustees ?? ['node-2', 'node-3', 'node-4'];
    this.threshold = options.threshold ?? Math.floor(this.trustees.length / 2) + 1;
    this.#log = options.log ?? (() => {});
  }

  /** Starts the devnet, seals each office's key in a keystore, and brings the election to `options.phase`. */
  static async start(options: ElectionFixtureOptions = {}): Promise<ElectionFixture> {
    const devnet = await Devnet.create({
      validators: options.validators ?? 4,
      observers: (options.observers ?? 0) + (options.gateway ? 1 : 0),
      objects: 0,
      ...(options.movableClocks ? { movableClocks: true } : {}),
      ...(options.lab ? { lab: options.lab } : {}),
    });
    const fixture = new ElectionFixture(devnet, options);
    try {
      const gateway = options.gateway ? devnet.nodes.filter((n) => n.info.role === 'observer').at(-1) : undefined;
      // in a lab, the voters (the client namespace) reach the gateway at its node's address
      const gatewayHost = gateway && options.lab ? options.lab.node(gateway.info.name).host : '127.0.0.1';
      fixture.gatewayArgs = ['--gateway', `${gatewayHost}:0`];
      if (gateway && options.gatewayLimits) {
        const file = join(gateway.info.dataDir, 'config.json');
        const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
        config.gateway = { host: gatewayHost, port: 0, ...options.gatewayLimits };
        await writeFile(file, JSON.stringify(config, null, 2));
      }
      await options.beforeStart?.(devnet);
      await Promise.all(devnet.nodes.map((n) => (n === gateway ? n.start(fixture.gatewayArgs) : n.start())));
      fixture.gateway = gateway;
      await writeFile(fixture.passphraseFile, 'election drill passphrase\n', { mode: 0o600 });
      await Promise.all(
        devnet.nodes
          .filter((n) => n.info.role !== 'observer')
          .map((n) =>
            fixture.ok(
              'keys',
              'seal',
              join(n.info.dataDir, 'signing-key.json'),
              '--out',
              fixture.keystore(n.info.name),
              '--passphrase-file',
              fixture.passphraseFile,
            ),
          ),
      );
      if (options.phase !== 'none') await fixture.create();
      if ((options.phase ?? 'voting') === 'voting') fixture.keygen = await fixture.fixKey();
      return fixture;
    } catch (error) {
      await devnet.stop();
      throw error;
    }
  }

  get dir(): string {
    return this.devnet.dir;
  }
  get passphraseFile(): string {
    return join(this.dir, 'passphrase');
  }
  keystore(name: string): string {
    return join(this.dir, `${name}.keystore`);
  }
  trusteeKeystore(name: string): string {
    return join(this.dir, `${name}.trustee`);
  }
  /** `--api URL --data DIR` of a node: the CLI reads its token from the data folder. */
  node(name: string): string[] {
    return ['--api', this.devnet.node(name).url, '--data', this.devnet.node(name).info.dataDir];
  }
  /** `--keystore FILE --passphrase-file FILE`: signs as that office. */
  signer(name: string): string[] {
    return ['--keystore', this.keystore(name), '--passphrase-file', this.passphraseFile];
  }
  step(what: string): void {
    this.#log(`[election ${this.id} +${((Date.now() - this.#startedAtMs) / 1000).toFixed(1)} s] ${what}`);
  }

  /** Runs `notary …` and returns its stdout; on failure throws with what it said and where each node stands. */
  async ok(...args: string[]): Promise<string> {
    const run = await runNotary(args, { timeoutMs: 300_000, env: { NOTARY_PASSPHRASE_FILE: '' } });
    if (run.code === 0) return run.stdout;
    // progress lines end in \r: keep the last of them, and what each node said and where it stands
    const said = `${run.stderr}${run.stdout}`.split('\r').slice(-3).join(' | ');
    throw new Error(`notary ${args.slice(0, 2).join(' ')} failed (${run.code}): ${said}\n${await this.where()}`);
  }

  /** Where each node stands (height, round, waiting transactions, peers, sync) and the last warnings it logged. */
  async where(): Promise<string> {
    const nodes = await Promise.all(
      this.devnet.nodes.map(async (n) => {
        const where = await n.status().then(
          async (s) => {
            const metrics = await fetch(`${n.url.replace(/\/api\/v1$/, '')}/metrics`, {
              headers: { authorization: `Bearer ${n.token}` },
            }).then(
              (r) => r.text(),
              () => '',
            );
            const round = /notary_consensus_round (\d+)/.exec(metrics)?.[1] ?? '?';
            const sync = s.syncing ? 'syncing' : s.inSync ? 'in sync' : `behind (${s.behind?.reason ?? '?'})`;
            return `height ${s.height}, round ${round}, ${s.mempool.size} waiting, ${s.peers} peers, ${sync}`;
          },
          (error: Error) => `unknown (${error.message})`,
        );
        return `${n.info.name} at ${where}: ${n.log.slice(-1_500) || '(no warnings)'}`;
      }),
    );
    return nodes.join('\n');
  }

  /** waitFor, whose timeout also says where each node stands. */
  async #waitFor<T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs?: number,
    intervalMs?: number,
  ): Promise<T> {
    try {
      return await waitFor(what, check, timeoutMs, intervalMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await this.where()}`, { cause: error });
    }
  }

  /** The passphrase the trustees' keystores are sealed with (the drill's one). */
  static readonly TRUSTEE_PASSPHRASE = 'election drill passphrase';

  /**
   * A trustee's step through its own node's route (`POST /elections/{id}/trustee/<step>`), and,
   * when it sends transactions, a wait until each is final; a refusal throws with its code.
   */
  async trusteeStep(name: string, step: 'key' | 'deal' | 'check-shares' | 'answer' | 'decrypt'): Promise<unknown> {
    const node = this.devnet.node(name);
    const answer = await node.request<Record<string, unknown>>(
      'POST',
      `/elections/${encodeURIComponent(this.id)}/trustee/${step}`,
      { passphrase: ElectionFixture.TRUSTEE_PASSPHRASE },
    );
    if (answer.status >= 300)
      throw new Error(`${name}: trustee ${step}: ${answer.status} ${JSON.stringify(answer.body)}`);
    const body = answer.body;
    const sent = [
      ...(typeof body.txHash === 'string' ? [body.txHash] : []),
      ...((body.complaints ?? body.answers ?? []) as Array<{ submitted: { txHash: string } }>).map(
        (entry) => entry.submitted.txHash,
      ),
    ];
    for (const hash of sent)
      await this.#waitFor(`${name}'s ${step} ${hash.slice(0, 8)} to be final`, async () => {
        const status = await node.txStatus(hash);
        if (status.state === 'rejected')
          throw new Error(`${name}: trustee ${step} refused: ${status.code}: ${status.sentence}`);
        return status.state === 'final' ? true : undefined;
      });
    return body;
  }

  /** An office step the node signs (`POST /elections/{id}/key`, `/tally`), waited on until final. */
  async officeStep(name: string, step: 'key' | 'tally'): Promise<string> {
    const node = this.devnet.node(name);
    const answer = await node.request<{ txHash: string }>('POST', `/elections/${encodeURIComponent(this.id)}/${step}`);
    if (answer.status !== 202) throw new Error(`${name}: ${step}: ${answer.status} ${JSON.stringify(answer.body)}`);
    await this.#waitFor(`${name}'s ${step} to be final`, async () => {
      const status = await node.txStatus(answer.body.txHash);
      if (status.state === 'rejected') throw new Error(`${name}: ${step} refused: ${status.code}: ${status.sentence}`);
      return status.state === 'final' ? true : undefined;
    });
    return answer.body.txHash;
  }

  get #onNode(): boolean {
    return this.options.trusteesOn === 'node';
  }

  async view(name = 'node-1'): Promise<ElectionView> {
    return JSON.parse(await this.ok('election', 'status', ...this.node(name), '--election', this.id, '--json'));
  }

  #trusteeArgs(name: string): string[] {
    return [
      ...this.node(name),
      '--election',
      this.id,
      ...this.signer(name),
      '--trustee-keystore',
      this.trusteeKeystore(name),
    ];
  }

  /**
   * The trustee `name` makes its transport key for this election (`election trustee-key`), sealed
   * in `trusteeKeystore(name)` (or for another election, in another file); answers its office key and transport key, as a definition lists them.
   */
  async trusteeKey(
    name: string,
    where: { election?: string; out?: string } = {},
  ): Promise<{ key: string; transportKey: string }> {
    const out = await this.ok(
      'election',
      'trustee-key',
      '--election',
      where.election ?? this.id,
      '--out',
      where.out ?? this.trusteeKeystore(name),
      '--passphrase-file',
      this.passphraseFile,
    );
    return { key: this.devnet.node(name).info.publicKey, transportKey: JSON.parse(out).transportKey as string };
  }

  /** The registrars create the election (each signs the one file in turn); it is then in key generation. */
  async create(): Promise<void> {
    const trustees = [];
    for (const name of this.trustees) {
      if (this.#onNode) {
        const made = (await this.trusteeStep(name, 'key')) as { transportKey: string };
        trustees.push({ key: this.devnet.node(name).info.publicKey, transportKey: made.transportKey });
      } else trustees.push(await this.trusteeKey(name));
    }
    const definition = join(this.dir, 'definition.json');
    await writeFile(
      definition,
      JSON.stringify({
        id: this.id,
        title: this.options.title ?? 'City elections 2026',
        contests: this.contests,
        districts: this.districts,
        trustees,
        threshold: this.threshold,
        rollMax: this.options.rollMax ?? 10_000,
      }),
    );
    const unsigned = join(this.dir, 'create.json');
    // 15 s a trustee to deal: each `election deal` is a CLI process that waits for its block
    const dealsSeconds = this.options.dealsSeconds ?? Math.max(30, 15 * this.trustees.length);
    await this.ok(
      'election',
      'create',
      '--definition',
      definition,
      '--data',
      this.devnet.node('node-1').info.dataDir,
      '--deals-in',
      `${dealsSeconds}s`,
      '--complaints-in',
      '10s',
      '--answers-in',
      '5s',
      '--voting-for',
      `${this.options.votingSeconds ?? 300}s`,
      '--out',
      unsigned,
    );
    const registrars = this.devnet.nodes.filter((n) => n.info.role === 'registrar').map((n) => n.info.name);
    let file = unsigned;
    for (const name of registrars) {
      const signed = join(this.dir, `create-${name}.json`);
      await this.ok(
        'tx',
        'sign',
        file,
        '--key',
        this.keystore(name),
        '--passphrase-file',
        this.passphraseFile,
        '--out',
        signed,
      );
      file = signed;
    }
    await this.ok('submit', file, ...this.node('node-1'));
    await this.#waitFor('the election on chain', async () =>
      (await this.view().catch(() => undefined))?.phase ? true : undefined,
    );
    this.step('created');
  }

  /** Every trustee deals and checks its shares; after the answers close, the key is fixed and voting opens. */
  async fixKey(): Promise<{ dealt: number[]; checks: string[]; key: string }> {
    for (const name of this.trustees)
      if (this.#onNode) await this.trusteeStep(name, 'deal');
      else await this.ok('election', 'deal', ...this.#trusteeArgs(name));
    const { dealt } = await this.view();
    this.step('dealt');
    const checks: string[] = [];
    for (const name of this.trustees)
      checks.push(
        this.#onNode
          ? JSON.stringify(await this.trusteeStep(name, 'check-shares'))
          : await this.ok('election', 'check-shares', ...this.#trusteeArgs(name)),
      );
    const { answersUntilMs } = await this.view();
    await this.#waitFor(
      'the answers to close',
      async () => (Date.now() > answersUntilMs + 2_000 ? true : undefined),
      180_000,
      500,
    );
    const key = this.#onNode
      ? await this.officeStep('node-1', 'key')
      : await this.ok('election', 'key', ...this.node('node-1'), '--election', this.id, ...this.signer('node-1'));
    const { opensAtMs } = await this.view();
    await this.#waitFor(
      'voting to open',
      async () => (Date.now() > opensAtMs + 1_000 ? true : undefined),
      180_000,
      500,
    );
    this.step('key fixed, voting');
    return { dealt, checks, key };
  }

  /** `count` credential pairs made by the CLI (`election credentials`), as a voter's device makes one. */
  async credentials(count: number, name = 'voters'): Promise<{ file: string; pairs: CredentialPair[] }> {
    const file = join(this.dir, `${name}.json`);
    await this.ok(
      'election',
      'credentials',
      '--count',
      String(count),
      '--out',
      file,
      '--public-out',
      join(this.dir, `${name}.pub.json`),
    );
    return { file, pairs: JSON.parse(await readFile(file, 'utf8')) as CredentialPair[] };
  }

  /** The office registers these public credentials in `district`, as a desk does (100 a transaction). */
  async register(keys: string[], district = this.districts[0]!, office = 'node-3'): Promise<void> {
    const file = join(this.dir, `register-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(keys));
    await this.ok(
      'election',
      'register',
      ...this.node(office),
      '--election',
      this.id,
      '--district',
      district,
      '--credentials',
      file,
      ...this.signer(office),
    );
  }

  /** Casts each vote (per contest, the choice indices marked) with the secrets in `credentialsFile`; returns the CLI's output. */
  async cast(
    credentialsFile: string,
    votes: Array<{ credential: string; choices: number[][] }>,
    through = 'node-1',
  ): Promise<string> {
    const file = join(this.dir, `votes-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(votes));
    return this.ok(
      'election',
      'cast',
      ...this.node(through),
      '--election',
      this.id,
      '--credentials',
      credentialsFile,
      '--votes',
      file,
    );
  }

  async waitForWindowEnd(): Promise<void> {
    const { closesAtMs } = await this.view();
    await this.#waitFor(
      'the window to end',
      async () => (Date.now() > closesAtMs + 2_000 ? true : undefined),
      900_000,
      1_000,
    );
    this.step('window ended');
  }

  /** Closes the election (after its window) and waits until every node has the close. */
  async close(by = 'node-1'): Promise<void> {
    await this.ok('election', 'close', ...this.node(by), '--election', this.id, ...this.signer(by));
    for (const n of this.devnet.nodes)
      await this.#waitFor(`${n.info.name} to see the close`, async () =>
        (await this.view(n.info.name)).phase === 'closed' ? true : undefined,
      );
    this.step('closed');
  }

  /** Each named trustee posts its partial decryption from its own node. */
  async decrypt(trustees = this.trustees.slice(0, this.threshold)): Promise<void> {
    for (const name of trustees)
      if (this.#onNode) await this.trusteeStep(name, 'decrypt');
      else await this.ok('election', 'decrypt', ...this.#trusteeArgs(name));
    this.step(`decrypted by ${trustees.join(', ')}`);
  }

  /** Publishes the counts; the election is then final. */
  async tally(by = 'node-1'): Promise<void> {
    await this.ok('election', 'tally', ...this.node(by), '--election', this.id, ...this.signer(by));
    this.step('tallied');
  }

  async stop(): Promise<void> {
    await this.devnet.stop();
  }
}
