// A trustee's steps (electron/node/modules/election/trustee-steps.ts), which `notary election`
// and the node's trustee routes share, and those routes' checks (trustee-api.ts): a 2-of-3 key
// made from the dealings the steps produce, a tampered share complained about and answered, a
// partial decryption only of closed totals and only with the share the chain fixed, and routes
// that refuse a bad input without writing anything.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import { generateKeyPair } from '../../shared/crypto/index.js';
import {
  decodeDealing,
  encodeDealing,
  qualify,
  sealedBoxes,
  sodiumGroup,
  verifyPartialDecryption,
  decodePartialDecryption,
  type Group,
  type SealedBoxes,
} from '../../shared/election/crypto/index.js';
import { utf8 } from '../../shared/codec/index.js';
import type { ElectionView } from '../../shared/modules/election/api.js';
import { trusteePassphraseSchema } from '../../shared/modules/election/api.js';
import { ciphertextsOf } from '../../shared/modules/election/checks.js';
import { ElectionKey } from '../../shared/modules/election/types.js';
import { ApiError } from '../../electron/node/api/errors.js';
import { trusteeApi, trusteeKeystorePath } from '../../electron/node/modules/election/trustee-api.js';
import type { TrusteeSecrets } from '../../electron/node/modules/election/trustee-keystore.js';
import {
  answersOf,
  complaintsOf,
  dealingOf,
  openShares,
  partialDecryptionOf,
  trusteeSlot,
  TrusteeStepError,
  type DealingOnChain,
} from '../../electron/node/modules/election/trustee-steps.js';
import { electionView } from './election-fixtures.js';
import { GATEWAY_ROUTES } from '../../electron/node/api/gateway.js';
import { trusteeStage } from '../../renderer/src/modules/election/model.js';

let group: Group;
let boxes: SealedBoxes;
beforeAll(async () => {
  group = await sodiumGroup();
  boxes = await sealedBoxes();
});

const offices = [0, 1, 2].map(() => generateKeyPair());

function trustees(): TrusteeSecrets[] {
  return offices.map(() => ({ election: 'city-2026', transport: boxes.keyPair() }));
}

/** The election's record with these trustees' keys, its deadlines at 100..500 ms, totals of one contest of two boxes. */
function viewOf(secrets: TrusteeSecrets[], overrides: Partial<ElectionView> = {}): ElectionView {
  const trustees = secrets.map((s, k) => ({
    key: offices[k]!.publicKey,
    transportKey: bytesToHex(s.transport.publicKey),
  }));
  return electionView({ trustees, totals: '00'.repeat(128), ...overrides }, 0);
}

/** Trustee `me` of `election` with these secrets. */
const as = (election: ElectionView, me: number, secrets: TrusteeSecrets) => ({ group, boxes, election, me, secrets });

function refusal(action: () => unknown): TrusteeStepError {
  try {
    action();
  } catch (error) {
    if (error instanceof TrusteeStepError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Every trustee deals through the steps; the keystores as each would keep them. */
function dealAll(secrets: TrusteeSecrets[], view: ElectionView) {
  const kept = secrets.map((s, k) => dealingOf(as(view, k + 1, s)).keep!);
  const dealings: DealingOnChain[] = kept.map((s, k) => ({ trustee: k + 1, dealing: s.dealing! }));
  return { kept, dealings };
}

describe("a trustee's steps", () => {
  it("names the office's slot, and refuses an office that is no trustee or a keystore of another election or key (NOT_A_TRUSTEE, TRUSTEE_KEYSTORE_OTHER_ELECTION, TRUSTEE_KEYSTORE_OTHER_KEY)", () => {
    const secrets = trustees();
    const view = viewOf(secrets);
    expect(trusteeSlot(view, offices[1]!.publicKey, secrets[1]!)).toBe(2);
    expect(refusal(() => trusteeSlot(view, generateKeyPair().publicKey, secrets[1]!)).code).toBe('NOT_A_TRUSTEE');
    expect(refusal(() => trusteeSlot(view, offices[1]!.publicKey, { ...secrets[1]!, election: 'other' })).code).toBe(
      'TRUSTEE_KEYSTORE_OTHER_ELECTION',
    );
    expect(refusal(() => trusteeSlot(view, offices[1]!.publicKey, secrets[0]!)).code).toBe(
      'TRUSTEE_KEYSTORE_OTHER_KEY',
    );
  });

  it('deals once: a kept dealing is sent again as it is, a trustee who dealt is refused (TRUSTEE_ALREADY_DEALT)', () => {
    const secrets = trustees();
    const view = viewOf(secrets);
    const first = dealingOf(as(view, 1, secrets[0]!));
    expect(first.keep?.dealer?.dealer).toBe(1);
    const again = dealingOf(as(view, 1, first.keep!));
    expect(again.keep).toBeUndefined();
    expect(bytesToHex(again.dealing)).toBe(bytesToHex(first.dealing));
    expect(refusal(() => dealingOf(as({ ...view, dealt: [1] }, 1, first.keep!))).code).toBe('TRUSTEE_ALREADY_DEALT');
    expect(refusal(() => dealingOf(as({ ...view, phase: 'voting' }, 1, secrets[0]!))).code).toBe(
      'TRUSTEE_STEP_NOT_OPEN',
    );
  });

  it('opens every honest share, complains about a tampered one, and the dealer answers it', () => {
    const secrets = trustees();
    const view = viewOf(secrets);
    const { kept, dealings } = dealAll(secrets, view);
    const honest = openShares(as(view, 2, kept[1]!), dealings);
    expect([...honest.values()].every((reading) => 'share' in reading)).toBe(true);
    expect(complaintsOf(view, 2, honest)).toEqual([]);
    // dealer 1's share for trustee 2 sealed to another key: it does not open
    const message = decodeDealing(group, dealings[0]!.dealing);
    const swapped = message.sealed.map((entry) =>
      entry.recipient === 2 ? { ...entry, box: message.sealed.find((e) => e.recipient === 3)!.box } : entry,
    );
    const tampered = [{ trustee: 1, dealing: encodeDealing({ ...message, sealed: swapped }) }, ...dealings.slice(1)];
    const read = openShares(as(view, 2, kept[1]!), tampered);
    const complaints = complaintsOf(view, 2, read);
    expect(complaints.map((c) => c.dealer)).toEqual([1]);
    // not twice
    expect(complaintsOf({ ...view, complaints: [{ dealer: 1, recipient: 2, answered: false }] }, 2, read)).toEqual([]);
    const owed = answersOf(as({ ...view, complaints: [{ dealer: 1, recipient: 2, answered: false }] }, 1, kept[0]!));
    expect(owed.map((a) => a.recipient)).toEqual([2]);
    expect(answersOf(as(view, 1, kept[0]!))).toEqual([]);
    expect(
      refusal(() =>
        answersOf(as({ ...view, complaints: [{ dealer: 1, recipient: 2, answered: false }] }, 1, secrets[0]!)),
      ).code,
    ).toBe('TRUSTEE_NOT_DEALT');
  });

  it('decrypts only closed totals, once, with the share the chain fixed, and the partial decryption verifies', () => {
    const secrets = trustees();
    const { kept, dealings } = dealAll(secrets, viewOf(secrets));
    const parameters = { electionId: utf8('city-2026'), trustees: 3, threshold: 2 };
    const key = qualify(
      group,
      parameters,
      dealings.map((d) => decodeDealing(group, d.dealing)),
      [],
      [],
    );
    const closed = viewOf(secrets, {
      phase: 'closed',
      dealt: [1, 2, 3],
      qualified: key.qualified,
      publicKey: bytesToHex(key.publicKey),
      verificationKeys: key.verificationKeys.map(bytesToHex),
    });
    const partial = partialDecryptionOf(as(closed, 3, kept[2]!), dealings, 1_000);
    const context = { electionId: utf8('city-2026'), publicKey: key.publicKey };
    expect(() =>
      verifyPartialDecryption(
        group,
        context,
        key.verificationKeys[2]!,
        ciphertextsOf(new Uint8Array(128)),
        decodePartialDecryption(group, partial),
      ),
    ).not.toThrow();
    expect(
      refusal(() => partialDecryptionOf(as({ ...closed, phase: 'voting' }, 3, kept[2]!), dealings, 1_000)).code,
    ).toBe('TRUSTEE_STEP_NOT_OPEN');
    expect(
      refusal(() => partialDecryptionOf(as({ ...closed, decrypted: [3] }, 3, kept[2]!), dealings, 1_000)).code,
    ).toBe('TRUSTEE_ALREADY_DECRYPTED');
    const wrongKeys = [...closed.verificationKeys!].reverse();
    expect(
      refusal(() => partialDecryptionOf(as({ ...closed, verificationKeys: wrongKeys }, 3, kept[2]!), dealings, 1_000))
        .code,
    ).toBe('TRUSTEE_SHARE_MISMATCH');
  });
});

describe("the trustee's routes", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function api(options: { role?: 'registrar' | 'observer'; election?: ElectionView } = {}) {
    const dataDir = await mkdtemp(join(tmpdir(), 'trustee-api-'));
    dirs.push(dataDir);
    const submitted: Array<{ type: string }> = [];
    const view = options.election;
    const records = new Map<string, unknown>();
    if (view) {
      records.set(ElectionKey.definition(view.id), { ...view });
      records.set(ElectionKey.status(view.id), { phase: view.phase });
      records.set(ElectionKey.roll(view.id), { size: 0, districts: [0] });
      records.set(ElectionKey.tally(view.id), { ballots: 0, voters: 0, totals: new Uint8Array(128) });
    }
    const handlers = trusteeApi({
      dataDir,
      chain: {
        chainId: 'test',
        head: { height: 7 },
        getRecord: async (key: string) => records.get(key),
        getMany: async (keys: string[]) => new Map(keys.filter((k) => records.has(k)).map((k) => [k, records.get(k)])),
      } as never,
      submissions: {
        submit: async (tx: unknown) => {
          submitted.push(tx as { type: string });
          return { txHash: 'ab'.repeat(32), status: { state: 'pending' } } as never;
        },
      },
      config: { role: options.role ?? 'registrar' },
      signingKey: options.role === 'observer' ? null : (offices[0] as never),
      clock: { now: () => 1_000 },
      damage: { refuse: () => {} },
    });
    return { dataDir, handlers, submitted };
  }

  async function apiError(call: Promise<unknown>): Promise<ApiError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }

  it('takes a passphrase of 8 to 1,024 characters and nothing else in the body', () => {
    expect(trusteePassphraseSchema.safeParse({ passphrase: 'eight ch' }).success).toBe(true);
    expect(trusteePassphraseSchema.safeParse({ passphrase: 'seven c' }).success).toBe(false);
    expect(trusteePassphraseSchema.safeParse({ passphrase: 'я'.repeat(1_024) }).success).toBe(true);
    expect(trusteePassphraseSchema.safeParse({ passphrase: 'я'.repeat(1_025) }).success).toBe(false);
    expect(trusteePassphraseSchema.safeParse({ passphrase: 'long enough', keep: true }).success).toBe(false);
    expect(trusteePassphraseSchema.safeParse({}).success).toBe(false);
  });

  it('are not on the public gateway', () => {
    expect(GATEWAY_ROUTES.filter((name) => /Trustee|electionKey|electionTally/.test(name))).toEqual([]);
  });

  it('makes the transport key once and never overwrites it (TRUSTEE_KEYSTORE_EXISTS)', async () => {
    const { dataDir, handlers } = await api();
    const params = { id: 'city-2026' };
    expect(await handlers.electionTrustee({ params } as never)).toEqual({ election: 'city-2026', keystore: false });
    const made = await handlers.electionTrusteeKey({ params, body: { passphrase: 'trustee pass' } } as never);
    expect(made.transportKey).toMatch(/^[0-9a-f]{64}$/);
    const file = await readFile(trusteeKeystorePath(dataDir, 'city-2026'), 'utf8');
    expect(JSON.parse(file).transportKey).toBe(made.transportKey);
    const again = await apiError(
      handlers.electionTrusteeKey({ params, body: { passphrase: 'trustee pass' } } as never),
    );
    expect(again.code).toBe('TRUSTEE_KEYSTORE_EXISTS');
    expect(await readFile(trusteeKeystorePath(dataDir, 'city-2026'), 'utf8')).toBe(file);
    expect(await handlers.electionTrustee({ params } as never)).toEqual({
      election: 'city-2026',
      keystore: true,
      transportKey: made.transportKey,
    });
  });

  it('refuses an observer (NOT_AN_OFFICE) and an election already on chain (ELECTION_EXISTS), writing nothing', async () => {
    const observer = await api({ role: 'observer' });
    const params = { id: 'city-2026' };
    expect(
      (await apiError(observer.handlers.electionTrusteeKey({ params, body: { passphrase: 'trustee pass' } } as never)))
        .code,
    ).toBe('NOT_AN_OFFICE');
    expect(await readdir(observer.dataDir)).toEqual([]);
    const onChain = await api({ election: viewOf(trustees()) });
    expect(
      (await apiError(onChain.handlers.electionTrusteeKey({ params, body: { passphrase: 'trustee pass' } } as never)))
        .code,
    ).toBe('ELECTION_EXISTS');
    expect(await readdir(onChain.dataDir)).toEqual([]);
  });

  it('deals with the keystore made here, keeping the dealing before it sends; refuses a wrong passphrase (WRONG_PASSPHRASE); a retry sends the dealing kept', async () => {
    const { dataDir, handlers, submitted } = await api();
    const params = { id: 'city-2026' };
    const made = await handlers.electionTrusteeKey({ params, body: { passphrase: 'trustee pass' } } as never);
    const secrets = trustees();
    const view = viewOf(secrets);
    view.trustees[0]!.transportKey = made.transportKey;
    const withElection = await api({ election: view });
    // the same data folder: move the keystore over
    const { copyFile, mkdir } = await import('node:fs/promises');
    await mkdir(join(withElection.dataDir, 'trustees'));
    await copyFile(trusteeKeystorePath(dataDir, 'city-2026'), trusteeKeystorePath(withElection.dataDir, 'city-2026'));
    const before = await readFile(trusteeKeystorePath(withElection.dataDir, 'city-2026'), 'utf8');
    const wrong = await apiError(
      withElection.handlers.electionTrusteeDeal({ params, body: { passphrase: 'not the one' } } as never),
    );
    expect([wrong.status, wrong.code]).toEqual([422, 'WRONG_PASSPHRASE']);
    expect(await readFile(trusteeKeystorePath(withElection.dataDir, 'city-2026'), 'utf8')).toBe(before);
    expect(withElection.submitted).toEqual([]);
    await withElection.handlers.electionTrusteeDeal({ params, body: { passphrase: 'trustee pass' } } as never);
    expect(withElection.submitted.map((tx) => tx.type)).toEqual(['election.dkg.deal']);
    // a retry before the dealing is on chain (a crash, a lost answer) sends the dealing kept, not a new one
    const kept = await readFile(trusteeKeystorePath(withElection.dataDir, 'city-2026'), 'utf8');
    await withElection.handlers.electionTrusteeDeal({ params, body: { passphrase: 'trustee pass' } } as never);
    const [first, second] = withElection.submitted as unknown as Array<{ payload: { dealing: Uint8Array } }>;
    expect(bytesToHex(second!.payload.dealing)).toBe(bytesToHex(first!.payload.dealing));
    expect(await readFile(trusteeKeystorePath(withElection.dataDir, 'city-2026'), 'utf8')).toBe(kept);
    expect(await readFile(trusteeKeystorePath(withElection.dataDir, 'city-2026'), 'utf8')).not.toBe(before);
    expect(submitted).toEqual([]);
    const missing = await api({ election: view });
    expect(
      (
        await apiError(
          missing.handlers.electionTrusteeDecrypt({ params, body: { passphrase: 'trustee pass' } } as never),
        )
      ).code,
    ).toBe('TRUSTEE_KEYSTORE_MISSING');
  });

  it('refuses an office that is not one of the trustees (NOT_A_TRUSTEE, 403)', async () => {
    const secrets = trustees();
    const view = viewOf(secrets, {
      trustees: viewOf(secrets)
        .trustees.slice(1)
        .concat([{ key: generateKeyPair().publicKey, transportKey: '00'.repeat(32) }]),
    });
    const { handlers, submitted } = await api({ election: view });
    const error = await apiError(
      handlers.electionTrusteeDeal({ params: { id: 'city-2026' }, body: { passphrase: 'trustee pass' } } as never),
    );
    expect([error.status, error.code]).toEqual([403, 'NOT_A_TRUSTEE']);
    expect(submitted).toEqual([]);
  });
});

describe("the trustee's panel: which step it shows (renderer/src/modules/election/model.ts)", () => {
  const view = (overrides: Partial<ElectionView> = {}) => viewOf(trustees(), overrides);

  it('walks a trustee from dealing to checking, answering, fixing the key, decrypting and publishing', () => {
    expect(trusteeStage(view(), 2, true, 50)).toBe('deal');
    expect(trusteeStage(view({ dealt: [2] }), 2, true, 50)).toBe('check');
    expect(
      trusteeStage(view({ dealt: [2], complaints: [{ dealer: 2, recipient: 1, answered: false }] }), 2, true, 250),
    ).toBe('answer');
    expect(
      trusteeStage(view({ dealt: [2], complaints: [{ dealer: 2, recipient: 1, answered: true }] }), 2, true, 250),
    ).toBe('wait');
    expect(trusteeStage(view({ dealt: [2] }), 2, true, 300)).toBe('key');
    expect(trusteeStage(view({ phase: 'voting', dealt: [2] }), 2, true, 450)).toBe('waitVoting');
    expect(trusteeStage(view({ phase: 'closed', dealt: [2] }), 2, true, 600)).toBe('decrypt');
    expect(trusteeStage(view({ phase: 'closed', decrypted: [2] }), 2, true, 600)).toBe('waitDecryptions');
    expect(trusteeStage(view({ phase: 'closed', decrypted: [1, 2] }), 2, true, 600)).toBe('tally');
    expect(trusteeStage(view({ phase: 'final', decrypted: [1, 2] }), 2, true, 600)).toBe('done');
  });

  it('offers no step that needs the keystore when this node has none, and says a missed deal is missed', () => {
    expect(trusteeStage(view(), 2, false, 50)).toBe('noKeystore');
    expect(trusteeStage(view({ phase: 'closed' }), 2, false, 600)).toBe('noKeystore');
    expect(trusteeStage(view(), 2, true, 150)).toBe('missedDeal');
  });
});
