// `notary election`: the commission's, the trustees' and a voter's steps of an election, for
// scripts, drills and the tests (docs/elections.md part C). Each command that changes the
// chain builds the transaction, signs it (an office keystore, a trustee keystore, or a voter's
// credential file), sends it to a running node and waits until it is final or refused.
// `election create` writes an unsigned transaction instead: the commission's registrars sign
// it one by one (`notary tx sign`) and one of them submits it (`notary submit`).
import { randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { bytesToHex, hexToBytes, utf8 } from '../../../../shared/codec/index.js';
import { generateKeyPair, sha256Hex, type KeyPair } from '../../../../shared/crypto/index.js';
import {
  createBallot,
  encodeBallot,
  sealedBoxes,
  sodiumGroup,
  type Group,
  type SealedBoxes,
} from '../../../../shared/election/crypto/index.js';
import {
  signTransaction,
  txHash,
  type Transaction,
  type UnsignedTransaction,
} from '../../../../shared/ledger/index.js';
import {
  electionCredentialSchema,
  electionDealingsSchema,
  electionViewSchema,
  type ElectionView,
} from '../../../../shared/modules/election/api.js';
import { ExportFormatError, FrameReader } from '../../../../shared/modules/election/export.js';
import type { VerifiedElection } from '../../../../shared/modules/election/verify.js';
import { ELECTION_LIMITS, electionCreatePayload } from '../../../../shared/modules/election/types.js';
import { statusSchema, submitResultSchema, txStatusSchema, type TxStatus } from '../../../../shared/api/index.js';
import { ApiClient, type ApiTarget } from '../../cli/api-client.js';
import { CliError } from '../../cli/errors.js';
import { readJsonFile } from '../../cli/files.js';
import {
  builder,
  envelopeOf,
  summary,
  unlockKey,
  writeTx,
  type EnvelopeOptions,
  type OutOptions,
} from '../../cli/tx-build.js';
import { readPassphrase } from '../../keystore/index.js';
import { writeFileDurably } from '../../store/durable-file.js';
import {
  readTrusteeFile,
  unlockTrusteeKeystore,
  writeTrusteeKeystore,
  type TrusteeSecrets,
} from './trustee-keystore.js';
import {
  answersOf,
  complaintsOf,
  dealingOf,
  openShares,
  partialDecryptionOf,
  trusteeSlot,
  TrusteeStepError,
  type DealingOnChain,
} from './trustee-steps.js';

/** How long a command waits for its transactions to be final. */
const FINAL_WAIT_MS = 180_000;
/** Ballots or registrations in flight to the node at once. */
const SUBMIT_CONCURRENCY = 4;
/** Credentials one `election credentials` call makes. */
const CREDENTIALS_MAX = 100_000;
/** A transaction the CLI sends lives this long. */
const TX_LIFETIME_MS = 3_600_000;

type Target = ApiTarget;
interface Signing {
  keystore: string;
  passphraseFile?: string;
}

function withTarget(command: Command): Command {
  return command
    .requiredOption('--api <url>', 'the node API address it printed at start, e.g. http://127.0.0.1:8080')
    .option('--data <dir>', 'the node data folder (its api-token is read)')
    .option('--token-file <file>', 'the API token file, instead of --data');
}

function withElection(command: Command): Command {
  return withTarget(command).requiredOption('--election <id>', 'the election id');
}

function withKeystore(command: Command): Command {
  return command
    .requiredOption('--keystore <file>', "the office's (or trustee's) signing keystore")
    .option('--passphrase-file <file>', 'a file whose first line is the passphrase (else it is asked)');
}

function withTrustee(command: Command): Command {
  return withKeystore(command)
    .requiredOption('--trustee-keystore <file>', "the trustee's election keystore (`election trustee-key`)")
    .option('--trustee-passphrase-file <file>', "its passphrase's file (default: --passphrase-file)");
}

/** `90s`, `15m`, `2h`, `3d` or plain milliseconds. */
export function duration(value: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 15m, 2h or 3d');
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

// ---- talking to the node ------------------------------------------------------------------

async function electionView(client: ApiClient, id: string): Promise<ElectionView> {
  const parsed = electionViewSchema.safeParse(await client.expectOk('GET', `/elections/${encodeURIComponent(id)}`));
  if (!parsed.success)
    throw new CliError('The node sent an election this CLI does not understand; update one of them.');
  return parsed.data;
}

async function chainIdOf(client: ApiClient): Promise<string> {
  const status = statusSchema.safeParse(await client.expectOk('GET', '/status'));
  if (!status.success) throw new CliError('The node sent a status this CLI does not understand; update one of them.');
  return status.data.chainId;
}

function unsigned(type: string, chainId: string, payload: object): UnsignedTransaction {
  return {
    type,
    chainId,
    expiresAtMs: Date.now() + TX_LIFETIME_MS,
    nonce: randomInt(0, 2 ** 47),
    payload,
  } as unknown as UnsignedTransaction;
}

async function submit(client: ApiClient, tx: Transaction): Promise<{ hash: string; status: TxStatus }> {
  const parsed = submitResultSchema.safeParse(await client.expectOk('POST', '/txs', tx));
  if (!parsed.success) throw new CliError('The node sent a submit result this CLI does not understand.');
  return { hash: parsed.data.txHash, status: parsed.data.status };
}

async function statusOf(client: ApiClient, hash: string): Promise<TxStatus> {
  const parsed = txStatusSchema.safeParse(await client.expectOk('GET', `/txs/${hash}`));
  if (!parsed.success) throw new CliError('The node sent a transaction status this CLI does not understand.');
  return parsed.data;
}

/**
 * Sends every transaction (a few at a time) and waits until each is final; the first refusal
 * stops the command with its code and sentence. Prints progress on long batches.
 */
async function submitAndWait(client: ApiClient, txs: Transaction[], what: string): Promise<Map<string, number>> {
  const heights = new Map<string, number>();
  const waiting = new Set<string>();
  const refuse = (hash: string, status: Extract<TxStatus, { state: 'rejected' }>): never => {
    throw new CliError(`${what}: transaction ${hash} was refused: ${status.code}: ${status.sentence}`);
  };
  let next = 0;
  const progress = (done: number) => {
    if (txs.length >= 20) process.stderr.write(`\r${what}: ${done} of ${txs.length} final`);
  };
  await Promise.all(
    Array.from({ length: Math.min(SUBMIT_CONCURRENCY, txs.length) }, async () => {
      while (next < txs.length) {
        const tx = txs[next++]!;
        const { hash, status } = await submit(client, tx);
        if (status.state === 'rejected') refuse(hash, status);
        if (status.state === 'final') heights.set(hash, status.height);
        else waiting.add(hash);
      }
    }),
  );
  const deadline = Date.now() + FINAL_WAIT_MS;
  while (waiting.size > 0) {
    progress(heights.size);
    if (Date.now() > deadline)
      throw new CliError(
        `${what}: ${waiting.size} of ${txs.length} transactions are not final after ${FINAL_WAIT_MS / 1000} s; see \`notary status\` (is the network up?)`,
      );
    await new Promise((done) => setTimeout(done, 500));
    for (const hash of [...waiting]) {
      const status = await statusOf(client, hash);
      if (status.state === 'rejected') refuse(hash, status);
      if (status.state === 'final') {
        heights.set(hash, status.height);
        waiting.delete(hash);
      }
    }
  }
  progress(heights.size);
  if (txs.length >= 20) process.stderr.write('\n');
  return heights;
}

async function officeKey(options: Signing): Promise<KeyPair> {
  return unlockKey(options.keystore, options.passphraseFile);
}

async function trusteeSecrets(options: Signing & { trusteeKeystore: string; trusteePassphraseFile?: string }) {
  const path = resolve(options.trusteeKeystore);
  const passphrase = await readPassphrase({
    file: options.trusteePassphraseFile ?? options.passphraseFile,
    prompt: `Passphrase of ${path}: `,
  });
  return { path, passphrase, secrets: await unlockTrusteeKeystore(path, passphrase) };
}

type TrusteeOptions = Target & Signing & { election: string; trusteeKeystore: string; trusteePassphraseFile?: string };

/** What every trustee step starts from: the election, the trustee's slot, its keys, and a signer. */
interface TrusteeStep {
  client: ApiClient;
  election: ElectionView;
  me: number;
  path: string;
  passphrase: string;
  secrets: TrusteeSecrets;
  group: Group;
  boxes: SealedBoxes;
  sign(type: string, payload: object): Promise<Transaction>;
}

/** A trustee's command: unlocks both keystores, checks they are this election's trustee's, then runs. */
function trusteeCommand(name: string, description: string, run: (step: TrusteeStep) => Promise<void>): Command {
  return withTrustee(withElection(new Command(name)))
    .description(description)
    .action(async (options: TrusteeOptions) => {
      const client = await ApiClient.connect(options);
      const election = await electionView(client, options.election);
      const key = await officeKey(options);
      const { path, passphrase, secrets } = await trusteeSecrets(options);
      const chainId = await chainIdOf(client);
      const sign = async (type: string, payload: object) =>
        signTransaction(unsigned(type, chainId, payload), key.secretKey);
      try {
        const me = trusteeSlot(election, key.publicKey, secrets);
        const [group, boxes] = [await sodiumGroup(), await sealedBoxes()];
        await run({ client, election, me, path, passphrase, secrets, group, boxes, sign });
      } catch (error) {
        if (error instanceof TrusteeStepError) throw new CliError(`${path}: ${error.message}.`);
        throw error;
      }
    });
}

/** The dealings on chain, as the node serves them. */
async function dealingsOnChain(client: ApiClient, election: ElectionView): Promise<DealingOnChain[]> {
  const parsed = electionDealingsSchema.safeParse(
    await client.expectOk('GET', `/elections/${encodeURIComponent(election.id)}/dealings`),
  );
  if (!parsed.success) throw new CliError('The node sent dealings this CLI does not understand.');
  return parsed.data.dealings.map(({ trustee, dealing }) => ({ trustee, dealing: hexToBytes(dealing) }));
}

// ---- the commands -------------------------------------------------------------------------

function trusteeKeyCommand(): Command {
  return new Command('trustee-key')
    .description("make a trustee's election keystore (its X25519 transport key); prints the key for the definition")
    .requiredOption('--election <id>', 'the election id the keystore is for')
    .requiredOption('--out <file>', 'the keystore file to write (never overwritten)')
    .option('--passphrase-file <file>', 'a file whose first line is the passphrase (else it is asked twice)')
    .action(async (options: { election: string; out: string; passphraseFile?: string }) => {
      const out = resolve(options.out);
      if (
        await readTrusteeFile(out).then(
          () => true,
          () => false,
        )
      )
        throw new CliError(`${out} already exists; a trustee keystore is never overwritten.`);
      const passphrase = await readPassphrase({ file: options.passphraseFile, confirm: true });
      const transport = (await sealedBoxes()).keyPair();
      await writeTrusteeKeystore(out, { election: options.election, transport }, passphrase);
      console.log(JSON.stringify({ transportKey: bytesToHex(transport.publicKey) }));
    });
}

function createCommand(): Command {
  return builder('create', 'build the election.create transaction from a definition file, for the registrars to sign')
    .requiredOption(
      '--definition <file>',
      'JSON: id, title, contests, districts, trustees [{key, transportKey}], threshold, rollMax',
    )
    .option('--deals-in <duration>', 'from now until the trustees deal', duration, 15 * 60_000)
    .option('--complaints-in <duration>', 'then until complaints close', duration, 15 * 60_000)
    .option('--answers-in <duration>', 'then until answers close (the key is fixed after it)', duration, 15 * 60_000)
    .option('--opens-in <duration>', 'then until the voting window opens', duration, 0)
    .option('--voting-for <duration>', 'how long the window stays open', duration, 86_400_000)
    .action(
      async (
        options: EnvelopeOptions &
          OutOptions & {
            definition: string;
            dealsIn: number;
            complaintsIn: number;
            answersIn: number;
            opensIn: number;
            votingFor: number;
          },
      ) => {
        const definition = (await readJsonFile(resolve(options.definition), 'election definition')) as object;
        const dealsUntilMs = Date.now() + options.dealsIn;
        const complaintsUntilMs = dealsUntilMs + options.complaintsIn;
        const answersUntilMs = complaintsUntilMs + options.answersIn;
        const opensAtMs = answersUntilMs + options.opensIn;
        const payload = {
          dealsUntilMs,
          complaintsUntilMs,
          answersUntilMs,
          opensAtMs,
          closesAtMs: opensAtMs + options.votingFor,
          ...definition,
        };
        const checked = electionCreatePayload.safeParse(payload);
        if (!checked.success) {
          const issue = checked.error.issues[0];
          throw new CliError(
            `The definition is not valid${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message}; nothing was written.`,
          );
        }
        const tx = await writeTx(
          { type: 'election.create', ...(await envelopeOf(options)), payload: checked.data },
          options,
        );
        console.log(summary(tx, options.out));
        console.log('Next: each registrar signs it (notary tx sign), then one submits it (notary submit).');
      },
    );
}

function dealCommand(): Command {
  return trusteeCommand(
    'deal',
    "deal this trustee's part of the election key: commitments, a proof and a sealed share for each trustee",
    async (step) => {
      const { client, election, me, path, passphrase, sign } = step;
      const { dealing, keep } = dealingOf(step);
      // kept before it is sent: after a crash the same dealing is sent again, never a second polynomial
      if (keep) await writeTrusteeKeystore(path, keep, passphrase);
      const tx = await sign('election.dkg.deal', { election: election.id, dealing });
      const heights = await submitAndWait(client, [tx], 'deal');
      console.log(`trustee ${me} dealt for ${election.id}: final at height ${[...heights.values()][0]}`);
    },
  );
}

function complainCommand(): Command {
  return trusteeCommand(
    'check-shares',
    "open this trustee's shares from every dealing on chain and complain about each that fails",
    async (step) => {
      const { client, election, me, sign } = step;
      const shares = openShares(step, await dealingsOnChain(client, election));
      const complaints: Transaction[] = [];
      for (const { dealer, problem, complaint } of complaintsOf(election, me, shares)) {
        console.log(`dealer ${dealer}: ${problem}: complaining`);
        complaints.push(await sign('election.dkg.complain', { election: election.id, complaint }));
      }
      if (complaints.length > 0) await submitAndWait(client, complaints, 'complaints');
      const missing = election.trustees.length - shares.size;
      console.log(
        `trustee ${me}: ${shares.size - complaints.length} good shares, ${complaints.length} complaints sent` +
          (missing > 0 ? `, ${missing} trustees have not dealt yet` : ''),
      );
    },
  );
}

function answerCommand(): Command {
  return trusteeCommand(
    'answer',
    'answer every open complaint against this trustee by revealing the share in question',
    async (step) => {
      const { client, election, me, sign } = step;
      const owed = answersOf(step);
      if (owed.length === 0) return console.log(`no open complaint against trustee ${me}`);
      const answers: Transaction[] = [];
      for (const { answer } of owed) answers.push(await sign('election.dkg.answer', { election: election.id, answer }));
      await submitAndWait(client, answers, 'answers');
      console.log(`trustee ${me} answered ${answers.length} complaints`);
    },
  );
}

/** A step any trustee or active registrar sends: election.key, election.close, election.tally. */
function stepCommand(name: string, type: string, description: string, done: (view: ElectionView) => string): Command {
  return withKeystore(withElection(new Command(name)))
    .description(description)
    .action(async (options: Target & Signing & { election: string }) => {
      const client = await ApiClient.connect(options);
      const key = await officeKey(options);
      const tx = signTransaction(
        unsigned(type, await chainIdOf(client), { election: options.election }),
        key.secretKey,
      );
      await submitAndWait(client, [tx], name);
      console.log(done(await electionView(client, options.election)));
    });
}

function credentialsCommand(): Command {
  return new Command('credentials')
    .description(
      "make voters' credential key pairs (on the voter's own device; for a drill, many at once): the file holds the secret keys, the office registers only the public ones",
    )
    .option(
      '--count <n>',
      'how many',
      (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > CREDENTIALS_MAX)
          throw new InvalidArgumentError(`expected 1 to ${CREDENTIALS_MAX}`);
        return n;
      },
      1,
    )
    .requiredOption('--out <file>', 'the file of key pairs to write (mode 0600, never overwritten)')
    .requiredOption('--public-out <file>', 'the file of public keys to hand to the office')
    .action(async (options: { count: number; out: string; publicOut: string }) => {
      const pairs = Array.from({ length: options.count }, () => generateKeyPair());
      await writeFileDurably(resolve(options.out), `${JSON.stringify(pairs, null, 1)}\n`, 0o600);
      await writeFileDurably(
        resolve(options.publicOut),
        `${JSON.stringify(
          pairs.map((pair) => pair.publicKey),
          null,
          1,
        )}\n`,
      );
      console.log(
        `${pairs.length} credentials: secrets in ${resolve(options.out)}, public keys in ${resolve(options.publicOut)}`,
      );
    });
}

async function publicKeysIn(file: string): Promise<string[]> {
  const value = await readJsonFile(resolve(file), 'credential list');
  const keys = Array.isArray(value)
    ? value.map((entry) => (typeof entry === 'string' ? entry : (entry as KeyPair)?.publicKey))
    : [];
  if (keys.length === 0 || keys.some((key) => typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)))
    throw new CliError(`${file} is not a list of credential public keys (64 lowercase hex characters each).`);
  return keys;
}

function registerCommand(): Command {
  return withKeystore(withElection(new Command('register')))
    .description("register voters' public credential keys on the roll of a district (an office that identified them)")
    .requiredOption('--district <name>', 'the district the voters vote in')
    .requiredOption('--credentials <file>', 'JSON list of public keys (or of key pairs)')
    .action(async (options: Target & Signing & { election: string; district: string; credentials: string }) => {
      const keys = await publicKeysIn(options.credentials);
      const client = await ApiClient.connect(options);
      const key = await officeKey(options);
      const chainId = await chainIdOf(client);
      const batch = ELECTION_LIMITS.credentialsPerTxMax;
      const txs = Array.from({ length: Math.ceil(keys.length / batch) }, (_, k) =>
        signTransaction(
          unsigned('election.credential.register', chainId, {
            election: options.election,
            district: options.district,
            credentials: keys.slice(k * batch, (k + 1) * batch),
          }),
          key.secretKey,
        ),
      );
      await submitAndWait(client, txs, 'registrations');
      const view = await electionView(client, options.election);
      console.log(`${keys.length} credentials registered in ${options.district}; the roll holds ${view.roll.size}`);
    });
}

/** `0;1,2`: per contest, the indices of the choices marked (an empty contest is allowed where min is 0). */
export function parseChoices(spec: string, election: ElectionView): number[][] {
  const contests = spec.split(';');
  if (contests.length !== election.contests.length)
    throw new CliError(
      `--choices names ${contests.length} contests; ${election.id} has ${election.contests.length} (separate them with ;)`,
    );
  return contests.map((part, q) => {
    const boxes = election.contests[q]!.choices.length;
    const marks = new Array<number>(boxes).fill(0);
    for (const item of part.split(',').filter((text) => text.trim() !== '')) {
      const b = Number(item);
      if (!Number.isInteger(b) || b < 0 || b >= boxes)
        throw new CliError(`contest ${q + 1} has choices 0 to ${boxes - 1}; "${item}" is none of them`);
      marks[b] = 1;
    }
    return marks;
  });
}

function castCommand(): Command {
  return withElection(new Command('cast'))
    .description("cast (or re-cast: the last ballot counts) an encrypted ballot signed by a voter's credential")
    .requiredOption('--credentials <file>', "the voter's credential file (`election credentials`)")
    .option('--choices <spec>', 'per contest, the choices marked: "0;1,2" (with one credential in the file)')
    .option('--votes <file>', 'for a drill: JSON [{credential, choices: [[...],...]}] with choice indices per contest')
    .action(async (options: Target & { election: string; credentials: string; choices?: string; votes?: string }) => {
      if ((options.choices === undefined) === (options.votes === undefined))
        throw new CliError('Give the votes as --choices SPEC (one voter) or --votes FILE (many), one of the two.');
      const value = await readJsonFile(resolve(options.credentials), 'credentials');
      const pairs = (Array.isArray(value) ? value : [value]) as KeyPair[];
      if (pairs.some((pair) => typeof pair?.secretKey !== 'string' || typeof pair?.publicKey !== 'string'))
        throw new CliError(`${options.credentials} is not a credential file (key pairs with publicKey and secretKey).`);
      const secretOf = new Map(pairs.map((pair) => [pair.publicKey, pair.secretKey]));
      const client = await ApiClient.connect(options);
      const election = await electionView(client, options.election);
      if (!election.publicKey) throw new CliError(`The key of ${election.id} is not fixed yet: voting has not begun.`);
      let votes: Array<{ credential: string; marks: number[][] }>;
      if (options.choices !== undefined) {
        if (pairs.length !== 1)
          throw new CliError('--choices casts for one credential; the file holds several (use --votes).');
        votes = [{ credential: pairs[0]!.publicKey, marks: parseChoices(options.choices, election) }];
      } else {
        const list = await readJsonFile(resolve(options.votes!), 'votes');
        if (!Array.isArray(list)) throw new CliError(`${options.votes} is not a list of votes.`);
        votes = list.map((entry: { credential?: unknown; choices?: unknown }, k) => {
          if (typeof entry?.credential !== 'string' || !Array.isArray(entry.choices))
            throw new CliError(`vote ${k} in ${options.votes} needs a credential and its choices.`);
          return {
            credential: entry.credential,
            marks: parseChoices((entry.choices as number[][]).map((list) => list.join(',')).join(';'), election),
          };
        });
      }
      const group = await sodiumGroup();
      const chainId = await chainIdOf(client);
      const shapes = election.contests.map((contest) => ({
        boxes: contest.choices.length,
        min: contest.min,
        max: contest.max,
      }));
      const publicKey = hexToBytes(election.publicKey);
      const trackers: Array<{ credential: string; tracker: string; txHash: string }> = [];
      const txs = votes.map(({ credential, marks }) => {
        const secretKey = secretOf.get(credential);
        if (!secretKey) throw new CliError(`No secret key for credential ${credential} in ${options.credentials}.`);
        const context = { electionId: utf8(election.id), publicKey, credential: hexToBytes(credential) };
        const ballot = encodeBallot(createBallot(group, context, shapes, marks));
        const tx = signTransaction(unsigned('election.cast', chainId, { election: election.id, ballot }), secretKey);
        trackers.push({ credential, tracker: sha256Hex(ballot), txHash: txHash(tx) });
        return tx;
      });
      await submitAndWait(client, txs, 'ballots');
      for (const entry of trackers.slice(0, 10))
        console.log(`credential ${entry.credential}: tracker ${entry.tracker}`);
      if (trackers.length > 10) console.log(`... and ${trackers.length - 10} more ballots`);
      console.log(`${trackers.length} ballots cast in ${election.id}`);
    });
}

function decryptCommand(): Command {
  return trusteeCommand(
    'decrypt',
    "this trustee's partial decryption of the closed totals, with its proofs (run on the trustee's own machine)",
    async (step) => {
      const { client, election, me, sign } = step;
      const partial = partialDecryptionOf(step, await dealingsOnChain(client, election), Date.now());
      const tx = await sign('election.decrypt', { election: election.id, partial });
      await submitAndWait(client, [tx], 'decrypt');
      console.log(`trustee ${me} posted its partial decryption of ${election.id}`);
    },
  );
}

function describeElection(view: ElectionView): string {
  const lines = [
    `${view.id}: ${view.title} (${view.phase})`,
    `trustees ${view.trustees.length}, threshold ${view.threshold}; dealt ${view.dealt.join(', ') || 'none'}` +
      (view.qualified ? `; qualified ${view.qualified.join(', ')}` : ''),
    `window ${new Date(view.opensAtMs).toISOString()} to ${new Date(view.closesAtMs).toISOString()}`,
    `roll ${view.roll.size} (${view.roll.districts.map((d) => `${d.name} ${d.credentials}`).join(', ')}); ballots ${view.ballots}, voters ${view.voters}`,
  ];
  if (view.counts)
    view.contests.forEach((contest, q) =>
      lines.push(
        `${contest.title}: ${contest.choices.map((choice, b) => `${choice} ${view.counts![q]![b]}`).join(', ')}`,
      ),
    );
  return lines.join('\n');
}

function statusCommand(): Command {
  return withElection(new Command('status'))
    .description("an election's phase, roll, ballots and, once final, its results")
    .option('--json', 'print the record as JSON')
    .action(async (options: Target & { election: string; json?: boolean }) => {
      const view = await electionView(await ApiClient.connect(options), options.election);
      console.log(options.json ? JSON.stringify(view, null, 2) : describeElection(view));
    });
}

function trackerCommand(): Command {
  return withTarget(new Command('tracker'))
    .description("a voter checks that the chain holds its last ballot: the credential's tracker")
    .requiredOption('--credential <key>', 'the public credential key')
    .action(async (options: Target & { credential: string }) => {
      const client = await ApiClient.connect(options);
      const parsed = electionCredentialSchema.safeParse(
        await client.expectOk('GET', `/election-credentials/${encodeURIComponent(options.credential)}`),
      );
      if (!parsed.success) throw new CliError('The node sent a credential this CLI does not understand.');
      const { election, district, ballot } = parsed.data;
      console.log(
        ballot
          ? `credential on the roll of ${election} (${district}); last ballot: tracker ${ballot.hash} at height ${ballot.height}`
          : `credential on the roll of ${election} (${district}); no ballot yet`,
      );
    });
}

function exportCommand(): Command {
  return withElection(new Command('export'))
    .description("download the election's export for `notary election verify`")
    .requiredOption('--out <file>', 'the file to write')
    .action(async (options: Target & { election: string; out: string }) => {
      const client = await ApiClient.connect(options);
      const out = resolve(options.out);
      const bytes = await client.download(`/elections/${encodeURIComponent(options.election)}/export`, out);
      console.log(`export of ${options.election} written to ${out} (${bytes} bytes)`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description(
      'check an election export with no node: every signature and proof, the last ballot per credential, the totals, the partial decryptions and the counts; exit 0 when it holds, 1 at the first failure',
    )
    .argument('<export>', 'the file `notary election export` wrote')
    .action(async (file: string) => {
      const { verifyElectionExport, VerifyError } = await import('../../../../shared/modules/election/verify.js');
      const group = await sodiumGroup();
      const reader = new FrameReader();
      const path = resolve(file);
      async function* frames() {
        for await (const chunk of createReadStream(path)) yield* reader.push(new Uint8Array(chunk as Buffer));
        reader.end();
      }
      try {
        const result = await verifyElectionExport(group, frames());
        console.log(`VALID: ${describeVerified(result)}`);
      } catch (error) {
        if (error instanceof VerifyError) console.log(`INVALID: ${error.code}: ${error.sentence}`);
        else if (error instanceof ExportFormatError) console.log(`INVALID: ${error.code}: ${error.message}`);
        else throw new CliError(`Cannot read ${path}: ${(error as Error).message}`);
        process.exitCode = 1;
      }
    });
}

function describeVerified(result: VerifiedElection): string {
  const { definition } = result;
  const lines = [
    `election ${definition.id} of chain ${result.chainId} at height ${result.height} (${result.phase}): ${result.entries} transactions checked`,
    `roll ${result.roll.size}; ${result.voters} voters, ${result.ballots} ballots (${result.revotes} re-votes); only each credential's last ballot counted`,
  ];
  if (result.counts) {
    lines.push(`counts decrypted by trustees ${result.trustees?.join(', ')} equal the published ones:`);
    definition.contests.forEach((contest, q) =>
      lines.push(
        `  ${contest.title}: ${contest.choices.map((choice, b) => `${choice} ${result.counts![q]![b]}`).join(', ')}`,
      ),
    );
  }
  return lines.join('\n');
}

export function electionCommand(): Command {
  return new Command('election')
    .description('elections and referenda: the commission, trustees and voters (docs/elections.md)')
    .addCommand(trusteeKeyCommand())
    .addCommand(createCommand())
    .addCommand(dealCommand())
    .addCommand(complainCommand())
    .addCommand(answerCommand())
    .addCommand(
      stepCommand(
        'key',
        'election.key',
        'fix the election key from the key generation on chain (after the answers close)',
        (view) => `the key of ${view.id} is fixed: qualified trustees ${view.qualified?.join(', ')}`,
      ),
    )
    .addCommand(credentialsCommand())
    .addCommand(registerCommand())
    .addCommand(castCommand())
    .addCommand(
      stepCommand(
        'close',
        'election.close',
        'fix the totals once the voting window has ended',
        (view) => `${view.id} is closed: ${view.voters} voters, ${view.ballots} ballots`,
      ),
    )
    .addCommand(decryptCommand())
    .addCommand(
      stepCommand(
        'tally',
        'election.tally',
        'publish the counts from the partial decryptions on chain',
        describeElection,
      ),
    )
    .addCommand(statusCommand())
    .addCommand(trackerCommand())
    .addCommand(exportCommand())
    .addCommand(verifyCommand());
}
