// Issue 16's "done when": a devnet of four validator processes runs an election end to end from
// the CLI alone: the commission creates it (two registrars sign), four trustees make a 3-of-4
// key on chain, offices register 1,000 credentials in two districts, voters cast ballots and
// some re-vote, the window closes, three trustees decrypt, the counts are published, and
// `notary election verify` accepts the export and refuses a tampered one. The counts must equal
// a plain count of each voter's last choices.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import { ELECTION_LIMITS } from '../../shared/modules/election/types.js';
import { encodeFrame, FrameReader, type ExportHeader } from '../../shared/modules/election/export.js';
import { waitFor } from '../support/devnet-harness.js';
import { ElectionFixture } from '../support/election-fixture.js';
import { seededRandom } from '../support/prng.js';
import { runNotary } from '../support/notary-cli.js';
import { skipAfterFirstFailure } from '../support/journey.js';

const VOTERS = 1_000;
const CAST = 500;
const REVOTES = 100;
const CONTESTS = [
  { title: 'Mayor', choices: ['Ann', 'Boris', 'Chen'], min: 1, max: 1 },
  { title: 'Council', choices: ['Dana', 'Egor', 'Fedor', 'Galina'], min: 0, max: 2 },
];

interface BallotsPage {
  height: number;
  ballots: Array<{ tracker: string; credential: string; district: string; height: number; replaced: boolean }>;
  next?: string;
  total: number;
}
interface Turnout {
  ballots: number;
  voters: number;
  districts: Array<{ district: string; registered: number; voters: number; ballots: number }>;
  hours: Array<{ startMs: number; ballots: number }>;
}

let election: ElectionFixture;
let dir = '';

const notary = (...args: string[]) => runNotary(args, { timeoutMs: 300_000, env: { NOTARY_PASSPHRASE_FILE: '' } });
const ok = (...args: string[]) => election.ok(...args);
const node = (name: string) => election.node(name);
const view = (name = 'node-1') => election.view(name);
const step = (what: string) => election.step(what);
const TRUSTEES = ['node-1', 'node-2', 'node-3', 'node-4'];
const ID = 'city-2026';

/** Per voter, per contest, the indices marked: single choice in contest 1, 0..2 marks in contest 2. */
function randomChoices(random: (n: number) => number): number[][] {
  const council = [0, 1, 2, 3].filter(() => random(3) === 0).slice(0, 2);
  return [[random(3)], council];
}

afterAll(async () => {
  await election?.stop();
});

describe('an election on a devnet, from the CLI', () => {
  skipAfterFirstFailure();
  const lastChoices = new Map<string, number[][]>();
  const boardSeen: BallotsPage['ballots'] = [];
  let exportFile = '';

  it('is created by the registrars with four trustees, who make a 3-of-4 key on chain', async () => {
    election = await ElectionFixture.start({
      id: ID,
      contests: CONTESTS,
      districts: ['Minsk', 'Brest'],
      trustees: TRUSTEES,
      threshold: 3,
      rollMax: VOTERS,
      dealsSeconds: 45,
      votingSeconds: 240,
      log: (line) => console.log(line),
    });
    dir = election.dir;
    const keygen = election.keygen!;
    expect(keygen.dealt).toEqual([1, 2, 3, 4]);
    for (const out of keygen.checks) expect(out).toMatch(/4 good shares, 0 complaints sent/);
    expect(keygen.key).toMatch(/qualified trustees 1, 2, 3, 4/);
    expect((await view()).phase).toBe('voting');
  }, 480_000);

  it('takes 1,000 credentials from two offices, ballots from 500 voters and 100 re-votes; the last ballot counts', async () => {
    const { file: credentials, pairs } = await election.credentials(VOTERS);
    const halves = [pairs.slice(0, VOTERS / 2), pairs.slice(VOTERS / 2)];
    for (const [k, half] of halves.entries())
      await election.register(
        half.map((pair) => pair.publicKey),
        k === 0 ? 'Minsk' : 'Brest',
        k === 0 ? 'node-3' : 'node-4',
      );
    expect((await view()).roll.size).toBe(VOTERS);
    step('registered');
    expect(ELECTION_LIMITS.credentialsPerTxMax).toBe(100);

    const next = seededRandom(2026);
    const random = (n: number) => Math.floor(next() * n);
    const first = pairs.slice(0, CAST).map((pair) => ({ credential: pair.publicKey, choices: randomChoices(random) }));
    const again = first.slice(0, REVOTES).map((vote) => ({ ...vote, choices: randomChoices(random) }));
    for (const [round, votes] of [first, again].entries()) {
      const out = await election.cast(credentials, votes, round === 0 ? 'node-1' : 'node-2');
      expect(out).toMatch(new RegExp(`${votes.length} ballots cast in ${ID}`));
      const { closesAtMs } = await view();
      step(`${votes.length} ballots final; the window has ${Math.round((closesAtMs - Date.now()) / 1000)} s left`);
      for (const vote of votes) lastChoices.set(vote.credential, vote.choices);
    }
    const tracked = await ok('election', 'tracker', ...node('node-3'), '--credential', first[0]!.credential);
    expect(tracked).toMatch(/last ballot: tracker [0-9a-f]{64}/);
    const counted = await view();
    expect(counted).toMatchObject({ voters: CAST, ballots: CAST + REVOTES });

    // the public board and turnout (docs/elections.md C.1), on a node that did not take the ballots
    const reader = election.devnet.node('node-3');
    const board = async (query: string) => {
      await waitFor('the board to reach the head', async () => {
        const { body } = await reader.request<{ height: number }>('GET', `/elections/${ID}/ballots?limit=1`);
        return body.height >= (await reader.status()).height ? true : undefined;
      });
      return (await reader.request<BallotsPage>('GET', `/elections/${ID}/ballots${query}`)).body;
    };
    const all: BallotsPage['ballots'] = [];
    let after = '';
    for (let pages = 0; pages < 20; pages++) {
      const page = await board(`?limit=100${after ? `&after=${after}` : ''}`);
      expect(page.total).toBe(CAST + REVOTES);
      all.push(...page.ballots);
      if (!page.next) break;
      after = page.next;
    }
    expect(all).toHaveLength(CAST + REVOTES);
    boardSeen.push(...all);
    expect(new Set(all.map((b) => b.tracker)).size).toBe(CAST + REVOTES);
    // cast order: the first ballots of the revoters are replaced, their second ones are not
    const revoters = new Set(again.map((vote) => vote.credential));
    expect(
      all
        .filter((b) => b.replaced)
        .map((b) => b.credential)
        .sort(),
    ).toEqual([...revoters].sort());
    expect(all.slice(CAST).every((b) => revoters.has(b.credential) && !b.replaced)).toBe(true);
    expect(all.every((b) => b.district === 'Minsk')).toBe(true);
    const mine = /last ballot: tracker ([0-9a-f]{64})/.exec(tracked)![1]!;
    const found = await board(`?tracker=${mine.slice(0, 6)}`);
    expect(found.ballots.map((b) => b.tracker)).toContain(mine);
    expect(found.ballots.every((b) => b.tracker.startsWith(mine.slice(0, 6)))).toBe(true);
    const turnout = (await reader.request<Turnout>('GET', `/elections/${ID}/turnout`)).body;
    expect(turnout).toMatchObject({ ballots: CAST + REVOTES, voters: CAST });
    expect(turnout.districts).toEqual([
      { district: 'Minsk', registered: VOTERS / 2, voters: CAST, ballots: CAST + REVOTES },
      { district: 'Brest', registered: VOTERS / 2, voters: 0, ballots: 0 },
    ]);
    expect(turnout.hours.reduce((sum, hour) => sum + hour.ballots, 0)).toBe(CAST + REVOTES);
    const listed = (await reader.request<{ elections: Array<{ id: string; phase: string }> }>('GET', '/elections'))
      .body;
    expect(listed.elections).toContainEqual(expect.objectContaining({ id: ID, phase: 'voting' }));
    // the ballot route takes a ballot for this election and nothing else; nothing changes
    const notBallot = await reader.request<{ error: { code: string } }>('POST', `/elections/${ID}/ballots`, {
      type: 'governance.param',
    });
    expect(notBallot.status).toBeGreaterThanOrEqual(400);
    expect(notBallot.status).toBeLessThan(500);
    const unknown = await reader.request<{ error: { code: string } }>('GET', `/elections/nope/turnout`);
    expect(unknown.status).toBe(404);
    expect((await reader.request<Turnout>('GET', `/elections/${ID}/turnout`)).body.ballots).toBe(CAST + REVOTES);
    step('board and turnout checked');
  }, 600_000);

  it('closes after the window, is decrypted by three trustees and publishes counts equal to a plain count', async () => {
    await election.waitForWindowEnd();
    // final on node-1 is committed everywhere a moment later: close waits until each trustee's node has it
    await election.close('node-1');
    await election.decrypt(['node-2', 'node-3', 'node-4']);
    await election.tally('node-1');
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

  it('rebuilds the ballot board from the blocks when its index folder is deleted', async () => {
    const reader = election.devnet.node('node-3');
    await reader.kill();
    await rm(join(reader.info.dataDir, 'election-index'), { recursive: true, force: true });
    await reader.start();
    const head = (await election.devnet.node('node-1').status()).height;
    const rebuilt: BallotsPage['ballots'] = [];
    await waitFor(
      'the rebuilt board',
      async () => {
        const { body } = await reader.request<BallotsPage>('GET', `/elections/${ID}/ballots?limit=1`);
        return body.height >= head ? true : undefined;
      },
      120_000,
    );
    let after = '';
    for (let pages = 0; pages < 20; pages++) {
      const { body } = await reader.request<BallotsPage>(
        'GET',
        `/elections/${ID}/ballots?limit=100${after ? `&after=${after}` : ''}`,
      );
      rebuilt.push(...body.ballots);
      if (!body.next) break;
      after = body.next;
    }
    expect(rebuilt).toEqual(boardSeen);
    const turnout = (await reader.request<Turnout>('GET', `/elections/${ID}/turnout`)).body;
    expect(turnout).toMatchObject({ ballots: CAST + REVOTES, voters: CAST });
    expect(turnout.districts[0]).toEqual({
      district: 'Minsk',
      registered: VOTERS / 2,
      voters: CAST,
      ballots: CAST + REVOTES,
    });
  }, 240_000);
});
