// The commission's screens' logic (renderer/src/modules/election/model.ts and deskStore.ts):
// what a desk accepts as a voter's credential, the definition the form builds (checked with
// the ledger's schema and rules), the batches of registrations, and who acts next.
import { beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/crypto/index.js';
import type { ElectionView } from '../../shared/modules/election/api.js';
import { electionView } from './election-fixtures.js';
import {
  batches,
  checkForm,
  emptyForm,
  makeCredential,
  nextStep,
  parseCredential,
  percentages,
  trusteeKeysIn,
  type DefinitionForm,
} from '../../renderer/src/modules/election/model.js';
import { chosenEntries, desk, DESK_ENTRIES_MAX } from '../../renderer/src/modules/election/deskStore.js';

const key = () => generateKeyPair().publicKey;
const transport = () => generateKeyPair().publicKey; // any 32 bytes as hex is an X25519 key for the schema

function filledForm(): DefinitionForm {
  return {
    ...emptyForm(),
    id: 'city-2026',
    title: 'City elections 2026',
    contests: [{ title: 'Mayor', choices: 'Ann\nBoris\nChen\n', min: 1, max: 1 }],
    districts: 'Minsk\nBrest',
    trustees: [0, 1, 2].map(() => ({ key: key(), transportKey: transport() })),
    threshold: 2,
  };
}

function view(overrides: Partial<ElectionView>): ElectionView {
  return electionView({ trustees: [0, 1, 2].map(() => ({ key: key(), transportKey: transport() })), ...overrides });
}

describe('a desk reading a voter credential', () => {
  it('accepts the public key as text, upper or lower case, or as the CLI writes it', () => {
    const pair = generateKeyPair();
    expect(parseCredential(pair.publicKey)).toEqual({ key: pair.publicKey });
    expect(parseCredential(` ${pair.publicKey.toUpperCase()}\n`)).toEqual({ key: pair.publicKey });
    expect(parseCredential(JSON.stringify([pair.publicKey]))).toEqual({ key: pair.publicKey });
    expect(parseCredential(JSON.stringify({ publicKey: pair.publicKey }))).toEqual({ key: pair.publicKey });
  });

  it('refuses a code that holds a secret key, so the desk never registers from one', () => {
    const { file } = makeCredential();
    expect(parseCredential(file)).toEqual({ problem: 'secret' });
  });

  it('refuses malformed text and a key that is no point of the curve', () => {
    expect(parseCredential('')).toEqual({ problem: 'empty' });
    expect(parseCredential('hello')).toEqual({ problem: 'malformed' });
    expect(parseCredential('ab'.repeat(31))).toEqual({ problem: 'malformed' });
    expect(parseCredential('{"publicKey": 5}')).toEqual({ problem: 'malformed' });
    expect(parseCredential('x'.repeat(5_000))).toEqual({ problem: 'malformed' });
    // most 32-byte strings are not the encoding of an ed25519 point: a mistyped key is caught
    const offCurve = Array.from({ length: 50 }, (_, k) => k.toString(16).padStart(2, '0').repeat(32)).find(
      (candidate) => 'problem' in parseCredential(candidate),
    );
    expect(offCurve).toBeDefined();
    expect(parseCredential(offCurve!)).toEqual({ problem: 'notOnCurve' });
  });

  it('makes a credential in the format `election credentials` writes: a list of one key pair', () => {
    const { pair, file } = makeCredential();
    expect(JSON.parse(file)).toEqual([{ secretKey: pair.secretKey, publicKey: pair.publicKey }]);
    expect(pair.publicKey).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the desk's session list", () => {
  beforeEach(() => {
    // the list of a fresh desk: everything before is sent and cleared
    desk.sent(
      desk.get().entries.map((entry) => entry.key),
      'ff'.repeat(32),
    );
    desk.clearSent();
    desk.choose(`e-${Math.random()}`, 'Minsk');
  });

  it('refuses a key already in the list, and a list over its bound', () => {
    const k = key();
    expect(desk.add(k, 'camera')).toBe('added');
    expect(desk.add(k, 'typed')).toBe('duplicate');
    expect(desk.get().entries).toHaveLength(1);
    for (let n = 1; n < DESK_ENTRIES_MAX; n++) desk.add(n.toString(16).padStart(64, '0'), 'typed');
    expect(desk.add(key(), 'typed')).toBe('full');
  });

  it('keeps each key for the election and district it was taken for', () => {
    const minsk = key();
    desk.add(minsk, 'camera');
    const election = desk.get().election;
    desk.choose(election, 'Brest');
    expect(chosenEntries(desk.get())).toEqual([]);
    expect(desk.add(minsk, 'typed')).toBe('duplicate');
    desk.choose(election, 'Minsk');
    expect(chosenEntries(desk.get()).map((entry) => entry.key)).toEqual([minsk]);
  });

  it('marks keys sent with their transaction and puts a refused batch back as waiting', () => {
    const keys = [key(), key()];
    keys.forEach((k) => desk.add(k, 'photo'));
    desk.sent(keys, 'aa'.repeat(32));
    expect(desk.get().entries.every((entry) => entry.txHash === 'aa'.repeat(32))).toBe(true);
    desk.unsend('aa'.repeat(32));
    expect(desk.get().entries.every((entry) => entry.txHash === undefined)).toBe(true);
  });

  it('registers in transactions of at most 100 keys, in order', () => {
    const keys = Array.from({ length: 250 }, (_, k) => k);
    const out = batches(keys);
    expect(out.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(out.flat()).toEqual(keys);
  });
});

describe('the election form', () => {
  it('builds the payload the ledger accepts, deadlines counted from now', () => {
    const nowMs = Date.UTC(2026, 0, 1);
    const checked = checkForm(filledForm(), nowMs);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.payload.contests[0]!.choices).toEqual(['Ann', 'Boris', 'Chen']);
    expect(checked.payload.districts).toEqual(['Minsk', 'Brest']);
    expect(checked.payload.dealsUntilMs).toBe(nowMs + 15 * 60_000);
    expect(checked.payload.opensAtMs).toBe(nowMs + 45 * 60_000);
    expect(checked.payload.closesAtMs).toBe(nowMs + 45 * 60_000 + 86_400_000);
  });

  it('names the field the schema refuses: a bad id, a bad trustee key', () => {
    const form = filledForm();
    form.id = 'bad id!';
    form.trustees[1]!.key = 'nothex';
    const checked = checkForm(form, 0);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues.map((issue) => issue.field)).toEqual(expect.arrayContaining(['id', 'trustees.1.key']));
  });

  it("refuses with the ledger's own sentence what the definition check refuses", () => {
    const threshold = { ...filledForm(), threshold: 4 };
    const thresholdCheck = checkForm(threshold, 0);
    expect(thresholdCheck.ok).toBe(false);
    if (!thresholdCheck.ok) expect(thresholdCheck.issues[0]!.message).toMatch(/threshold 4 is above the 3 trustees/);
    const bounds = { ...filledForm(), contests: [{ title: 'Q', choices: 'a\nb', min: 2, max: 3 }] };
    expect(checkForm(bounds, 0).ok).toBe(false);
    const twice = { ...filledForm(), districts: 'Minsk\nMinsk' };
    const twiceCheck = checkForm(twice, 0);
    if (!twiceCheck.ok) expect(twiceCheck.issues[0]!.message).toMatch(/district is listed twice/);
    expect(twiceCheck.ok).toBe(false);
    const long = { ...filledForm(), votingFor: { value: 32, unit: 'd' as const } };
    expect(checkForm(long, 0).ok).toBe(false);
  });

  it("reads a trustee's key file as `election trustee-key` prints it, or its keystore", () => {
    const t = transport();
    expect(trusteeKeysIn(JSON.stringify({ transportKey: t }))).toEqual({ transportKey: t });
    const k = key();
    expect(trusteeKeysIn(JSON.stringify({ format: 'x', election: 'e', transportKey: t, key: k }))).toEqual({
      transportKey: t,
      key: k,
    });
    expect(trusteeKeysIn('{"transportKey": "12"}')).toBeNull();
    expect(trusteeKeysIn('not json')).toBeNull();
  });
});

describe('who acts next', () => {
  const nowMs = 1_000_000;

  it('waits for the trustees that have not dealt, until the deadline', () => {
    const step = nextStep(view({ dealt: [1, 3] }), nowMs);
    expect(step).toMatchObject({ stage: 'dealing', who: 'trustees', trustees: [2], command: 'deal' });
    expect(step.untilMs).toBe(nowMs + 100);
  });

  it('asks the dealers with open complaints to answer, then a registrar to fix the key', () => {
    const complaints = [{ dealer: 2, recipient: 1, answered: false }];
    expect(nextStep(view({ dealt: [1, 2, 3], complaints }), nowMs + 250)).toMatchObject({
      stage: 'answering',
      trustees: [2],
      command: 'answer',
    });
    expect(nextStep(view({ dealt: [1, 2, 3] }), nowMs + 300)).toMatchObject({ stage: 'keyDue', who: 'registrar' });
    expect(nextStep(view({ dealt: [1] }), nowMs + 300)).toMatchObject({ stage: 'keyFailing' });
  });

  it('asks a registrar to close once the window ended, then the trustees still to decrypt', () => {
    expect(nextStep(view({ phase: 'voting' }), nowMs + 450)).toMatchObject({ stage: 'voting', who: 'desks' });
    expect(nextStep(view({ phase: 'voting' }), nowMs + 500)).toMatchObject({ stage: 'closeDue', who: 'registrar' });
    expect(nextStep(view({ phase: 'closed', decrypted: [3] }), nowMs + 600)).toMatchObject({
      stage: 'decrypting',
      trustees: [1, 2],
      command: 'decrypt',
    });
    expect(nextStep(view({ phase: 'closed', decrypted: [1, 3] }), nowMs + 600)).toMatchObject({ stage: 'tallyDue' });
    expect(nextStep(view({ phase: 'final' }), nowMs + 600)).toMatchObject({ stage: 'final', who: 'none' });
  });

  it('gives each choice its share of the marks in percent', () => {
    expect(percentages([3, 1, 0])).toEqual([75, 25, 0]);
    expect(percentages([1, 2])).toEqual([33.3, 66.7]);
    expect(percentages([0, 0])).toEqual([0, 0]);
  });
});
