// Issue 16's "done when": a devnet of four validator processes runs an election end to end from
// the CLI alone: the commission creates it (two registrars sign), four trustees make a 3-of-4
// key on chain, offices register 1,000 credentials in two districts, voters cast ballots and
// some re-vote, the window closes, three trustees decrypt, the counts are published, and
// `notary election verify` accepts the export and refuses a tampered one. The counts must equal
// a plain count of each voter's last choices.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import { ELECTION_LIMITS } from '../../shared/modules/election/types.js';
import { encodeFrame, FrameReader, type ExportHeader } from '../../shared/modules/election/export.js';
import { Devnet, waitFor } from '../support/devnet-harness.js';
import { seededRandom } from '../support/prng.js';
import { runNotary } from '../support/notary-cli.js';

const VOTERS = 1_000;
const CAST = 500;
const REVOTES = 100;
const CONTESTS = [
  { title: 'Mayor', choices: ['Ann', 'Boris', 'Chen'], min: 1, max: 1 },
  { title: 'Council', choices: ['Dana', 'Egor', 'Fedor', 'Galina'], min: 0, max: 2 },
];

let devnet: Devnet;
let dir = '';

const notary = (...args: string[]) => runNotary(args, { timeoutMs: 300_000, env: { NOTARY_PASSPHRASE_FILE: '' } });

const startedAtMs = Date.now();
/** Each step's time since the start, so a slow run in CI says where its time went. */
const step = (what: string) =>
  console.log(`[election-devnet +${((Date.now() - startedAtMs) / 1000).toFixed(1)} s] ${what}`);

async function ok(...args: string[]): Promise<string> {
  const run = await notary(...args);
  if (run.code !== 0) {
    // progress lines end in \r: keep the last of them, and what each node said and where it stands
    const said = `${run.stderr}${run.stdout}`.split('\r').slice(-3).join(' | ');
    const nodes = await Promise.all(
      devnet.nodes.map(async (n) => {
        const where = await n.status().then(
          async (s) => {
            const metrics = await fetch(`${n.url.replace(/\/api\/v1$/, '')}/metrics`, {
              headers: { authorization: `Bearer ${n.token}` },
            }).then(
              (r) => r.text(),
              () => '',
            );
            const round = /notary_consensus_round (\d+)/.exec(metrics)?.[1] ?? '?';
            return `height ${s.height}, round ${round}, ${s.mempool.size} waiting`;
          },
          (error: Error) => `unknown (${error.message})`,
        );
        return `${n.info.name} at ${where}: ${n.log.slice(-1_500) || '(no warnings)'}`;
      }),
    );
    throw new Error(`notary ${args.slice(0, 2).join(' ')} failed (${run.code}): ${said}\n${nodes.join('\n')}`);
  }
  return run.stdout;
}

const node = (name: string) => ['--api', devnet.node(name).url, '--data', devnet.node(name).info.dataDir];
const passphrase = () => join(dir, 'passphrase');
const keystore = (name: string) => join(dir, `${name}.keystore`);
const trusteeKeystore = (name: string) => join(dir, `${name}.trustee`);
const TRUSTEES = ['node-1', 'node-2', 'node-3', 'node-4'];
const ID = 'city-2026';

async function view(name = 'node-1'): Promise<{
  phase: string;
  counts?: number[][];
  voters: number;
  ballots: number;
  roll: { size: number };
  closesAtMs: number;
  answersUntilMs: number;
  dealt: number[];
}> {
  return JSON.parse(await ok('election', 'status', ...node(name), '--election', ID, '--json'));
}

/** Per voter, per contest, the indices marked: single choice in contest 1, 0..2 marks in contest 2. */
function randomChoices(random: (n: number) => number): number[][] {
  const council = [0, 1, 2, 3].filter(() => random(3) === 0).slice(0, 2);
  return [[random(3)], council];
}

beforeAll(async () => {
  devnet = await Devnet.create({ validators: 4, observers: 0, objects: 0 });
  dir = devnet.dir;
  await devnet.startAll();
  await writeFile(passphrase(), 'election drill passphrase\n', { mode: 0o600 });
  // each office's devnet key sealed in a keystore, as the CLI signs with one
  await Promise.all(
    devnet.nodes.map((n) =>
      ok(
        'keys',
        'seal',
        join(n.info.dataDir, 'signing-key.json'),
        '--out',
        keystore(n.info.name),
        '--passphrase-file',
        passphrase(),
      ),
    ),
  );
}, 180_000);

afterAll(async () => {
  await devnet?.stop();
});

describe('an election on a devnet, from the CLI', () => {
  const lastChoices = new Map<string, number[][]>();
  let exportFile = '';

  it('is created by the registrars with four trustees, who make a 3-of-4 key on chain', async () => {
    const trustees = [];
    for (const name of TRUSTEES) {
      const out = await ok(
        'election',
        'trustee-key',
        '--election',
        ID,
        '--out',
        trusteeKeystore(name),
        '--passphrase-file',
        passphrase(),
      );
      trustees.push({ key: devnet.node(name).info.publicKey, transportKey: JSON.parse(out).transportKey as string });
    }
    const definition = join(dir, 'definition.json');
    await writeFile(
      definition,
      JSON.stringify({
        id: ID,
        title: 'City elections 2026',
        contests: CONTESTS,
        districts: ['Minsk', 'Brest'],
        trustees,
        threshold: 3,
        rollMax: VOTERS,
      }),
    );
    const unsigned = join(dir, 'create.json');
    await ok(
      'election',
      'create',
      '--definition',
      definition,
      '--data',
      devnet.node('node-1').info.dataDir,
      '--deals-in',
      '45s',
      '--complaints-in',
      '10s',
      '--answers-in',
      '5s',
      '--voting-for',
      '240s',
      '--out',
      unsigned,
    );
    const registrars = devnet.nodes.filter((n) => n.info.role === 'registrar').map((n) => n.info.name);
    let file = unsigned;
    for (const name of registrars) {
      const signed = join(dir, `create-${name}.json`);
      await ok('tx', 'sign', file, '--key', keystore(name), '--passphrase-file', passphrase(), '--out', signed);
      file = signed;
    }
    await ok('submit', file, ...node('node-1'));
    await waitFor('the election on chain', async () =>
      (await view().catch(() => undefined))?.phase ? true : undefined,
    );

    const trusteeArgs = (name: string) => [
      ...node(name),
      '--election',
      ID,
      '--keystore',
      keystore(name),
      '--trustee-keystore',
      trusteeKeystore(name),
      '--passphrase-file',
      passphrase(),
    ];
    step('created');
    for (const name of TRUSTEES) await ok('election', 'deal', ...trusteeArgs(name));
    step('dealt');
    expect((await view()).dealt).toEqual([1, 2, 3, 4]);
    for (const name of TRUSTEES) {
      const out = await ok('election', 'check-shares', ...trusteeArgs(name));
      expect(out).toMatch(/4 good shares, 0 complaints sent/);
    }
    const { answersUntilMs } = await view();
    await waitFor(
      'the answers to close',
      async () => (Date.now() > answersUntilMs + 2_000 ? true : undefined),
      120_000,
    );
    const keyed = await ok(
      'election',
      'key',
      ...node('node-2'),
      '--election',
      ID,
      '--keystore',
      keystore('node-2'),
      '--passphrase-file',
      passphrase(),
    );
    expect(keyed).toMatch(/qualified trustees 1, 2, 3, 4/);
    expect((await view()).phase).toBe('voting');
    step('key published, voting');
  }, 300_000);

  it('takes 1,000 credentials from two offices, ballots from 500 voters and 100 re-votes; the last ballot counts', async () => {
    const credentials = join(dir, 'voters.json');
    const publicKeys = join(dir, 'voters.pub.json');
    await ok('election', 'credentials', '--count', String(VOTERS), '--out', credentials, '--public-out', publicKeys);
    const pairs = JSON.parse(await readFile(credentials, 'utf8')) as Array<{ publicKey: string }>;
    const halves = [pairs.slice(0, VOTERS / 2), pairs.slice(VOTERS / 2)].map((half, k) => {
      const file = join(dir, `district-${k}.json`);
      return { file, keys: half.map((pair) => pair.publicKey) };
    });
    for (const [k, half] of halves.entries()) {
      await writeFile(half.file, JSON.stringify(half.keys));
      const office = k === 0 ? 'node-3' : 'node-4';
      await ok(
        'election',
        'register',
        ...node(office),
        '--election',
        ID,
        '--district',
        k === 0 ? 'Minsk' : 'Brest',
        '--credentials',
        half.file,
        '--keystore',
        keystore(office),
        '--passphrase-file',
        passphrase(),
      );
    }
    expect((await view()).roll.size).toBe(VOTERS);
    step('registered');
    expect(ELECTION_LIMITS.credentialsPerTxMax).toBe(100);

    const next = seededRandom(2026);
    const random = (n: number) => Math.floor(next() * n);
    const first = pairs.slice(0, CAST).map((pair) => ({ credential: pair.publicKey, choices: randomChoices(random) }));
    const again = first.slice(0, REVOTES).map((vote) => ({ ...vote, choices: randomChoices(random) }));
    for (const [round, votes] of [first, again].entries()) {
      const file = join(dir, `votes-${round}.json`);
      await writeFile(file, JSON.stringify(votes));
      const out = await ok(
        'election',
        'cast',
        ...node(round === 0 ? 'node-1' : 'node-2'),
        '--election',
        ID,
        '--credentials',
        credentials,
        '--votes',
        file,
      );
      expect(out).toMatch(new RegExp(`${votes.length} ballots cast in ${ID}`));
      const { closesAtMs } = await view();
      step(`${votes.length} ballots final; the window has ${Math.round((closesAtMs - Date.now()) / 1000)} s left`);
      for (const vote of votes) lastChoices.set(vote.credential, vote.choices);
    }
    const tracked = await ok('election', 'tracker', ...node('node-3'), '--credential', first[0]!.credential);
    expect(tracked).toMatch(/last ballot: tracker [0-9a-f]{64}/);
    const counted = await view();
    expect(counted).toMatchObject({ voters: CAST, ballots: CAST + REVOTES });
  }, 600_000);

  it('closes after the window, is decrypted by three trustees and publishes counts equal to a plain count', async () => {
    const { closesAtMs } = await view();
    await waitFor(
      'the window to end',
      async () => (Date.now() > closesAtMs + 2_000 ? true : undefined),
      300_000,
      1_000,
    );
    step('window ended');
    const signer = (name: string) => ['--keystore', keystore(name), '--passphrase-file', passphrase()];
    await ok('election', 'close', ...node('node-1'), '--election', ID, ...signer('node-1'));
    // final on node-1 is committed everywhere a moment later: each trustee's node must have it
    for (const name of ['node-2', 'node-3', 'node-4'])
      await waitFor(`${name} to see the close`, async () => ((await view(name)).phase === 'closed' ? true : undefined));
    for (const name of ['node-2', 'node-3', 'node-4'])
      await ok(
        'election',
        'decrypt',
        ...node(name),
        '--election',
        ID,
        ...signer(name),
        '--trustee-keystore',
        trusteeKeystore(name),
      );
    await ok('election', 'tally', ...node('node-1'), '--election', ID, ...signer('node-1'));
    const expected = CONTESTS.map((contest) => contest.choices.map(() => 0));
    for (const choices of lastChoices.values())
      choices.forEach((marked, q) => marked.forEach((b) => expected[q]![b]!++));
    const final = await view();
    expect(final.phase).toBe('final');
    expect(final.counts).toEqual(expected);
  }, 600_000);

  // [REQ-ELECTION-EXPORT.1] (docs/elections.md B.6, B.8)
  it('exports what `notary election verify` accepts with no node, and refuses a tampered count or ballot', async () => {
    exportFile = join(dir, 'city.export');
    await ok('election', 'export', ...node('node-4'), '--election', ID, '--out', exportFile);
    const valid = await notary('election', 'verify', exportFile);
    expect(valid.stdout).toMatch(/^VALID/);
    expect(valid.code).toBe(0);

    // the published counts changed: a count moved from one candidate to another
    const bytes = new Uint8Array(await readFile(exportFile));
    const reader = new FrameReader();
    const frames = reader.push(bytes);
    reader.end();
    const header = frames[0] as ExportHeader;
    const counts = header.status.counts!.map((row) => [...row]);
    counts[0]![0]!++;
    counts[0]![1]!--;
    const forged = [
      encodeFrame({ ...header, status: { ...header.status, counts } }),
      ...frames.slice(1).map((f) => encodeFrame(f as never)),
    ];
    const forgedFile = join(dir, 'forged-counts.export');
    await writeFile(forgedFile, Buffer.concat(forged));
    const refused = await notary('election', 'verify', forgedFile);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^INVALID: \S+: .*count/i);

    // one byte of a ballot changed: its credential's signature no longer holds
    const castAt = frames.findIndex((f) => (f as { tx?: { type: string } }).tx?.type === 'election.cast');
    const entry = frames[castAt] as { tx: { payload: { ballot: Uint8Array } } };
    const ballot = new Uint8Array(entry.tx.payload.ballot);
    ballot[ballot.length - 5]! ^= 0x01;
    const tampered = frames.map((f, k) =>
      encodeFrame(
        (k === castAt ? { ...entry, tx: { ...entry.tx, payload: { ...entry.tx.payload, ballot } } } : f) as never,
      ),
    );
    const tamperedFile = join(dir, 'tampered-ballot.export');
    await writeFile(tamperedFile, Buffer.concat(tampered));
    const broken = await notary('election', 'verify', tamperedFile);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^INVALID: \S+: .*signature/i);
    expect(encode(header).length).toBeGreaterThan(0);
  }, 120_000);
});
