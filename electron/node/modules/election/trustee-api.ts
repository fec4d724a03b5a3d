// A trustee's steps through its own node (docs/elections.md C.7): the commission's screens on
// the trustee's machine call these token-protected local routes, never the public gateway. The
// trustee's election keystore is DATA/trustees/<election-id>.json, sealed with a passphrase the
// trustee types for each step and the node never stores; the node signs with this office's key,
// which the definition names as the trustee's. The steps themselves are trustee-steps.ts, the
// ones `notary election` runs. Every check runs before anything is written or sent.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import { bytesToHex } from '../../../../shared/codec/index.js';
import { sealedBoxes, sodiumGroup } from '../../../../shared/election/crypto/index.js';
import { ApiError } from '../../api/errors.js';
import { found } from '../../api/handlers/found.js';
import { CliError } from '../../cli/errors.js';
import { DataFiles } from '../../config.js';
import { KeystoreError } from '../../keystore/errors.js';
import { officeKeyOf, officeSigner, viewOf, type ElectionApiComponents } from './api.js';
import { electionRecords } from './records.js';
import { readTrusteeFile, unlockTrusteeKeystore, writeTrusteeKeystore } from './trustee-keystore.js';
import {
  answersOf,
  complaintsOf,
  dealingOf,
  openShares,
  partialDecryptionOf,
  trusteeIndexOf,
  trusteeSlot,
  TrusteeStepError,
} from './trustee-steps.js';

export type TrusteeApiComponents = Pick<
  ElectionApiComponents,
  'chain' | 'submissions' | 'config' | 'signingKey' | 'clock' | 'damage'
> & { dataDir: string };

/** Where this office keeps its trustee keystore of an election (the id is the ledger's: no path characters). */
export function trusteeKeystorePath(dataDir: string, election: string): string {
  return join(dataDir, DataFiles.trustees, `${election}.json`);
}

/** The node's typed errors of a trustee step as API errors; nothing was written or sent. */
function asApiError(error: unknown): unknown {
  if (error instanceof TrusteeStepError)
    return new ApiError(error.code === 'NOT_A_TRUSTEE' ? 403 : 409, error.code, error.message);
  if (error instanceof KeystoreError)
    return error.code === 'WRONG_PASSPHRASE' || error.code === 'PASSPHRASE_INVALID'
      ? new ApiError(422, error.code, "the passphrase does not open this election's trustee keystore")
      : new ApiError(409, error.code, error.message);
  if (error instanceof CliError) return new ApiError(409, 'TRUSTEE_KEYSTORE_UNREADABLE', error.message);
  return error;
}

export function trusteeApi(components: TrusteeApiComponents) {
  const { chain, config, signingKey, clock, damage, dataDir } = components;
  const asOffice = officeSigner(components);
  /** One step at a time per election: two deals at once must not make two polynomials. */
  const running = new Map<string, Promise<unknown>>();
  const oneAtATime = async <T>(id: string, step: () => Promise<T>): Promise<T> => {
    const before = running.get(id) ?? Promise.resolve();
    const mine = before.then(step, step);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    running.set(id, settled);
    try {
      return await mine.catch((error: unknown) => {
        throw asApiError(error);
      });
    } finally {
      if (running.get(id) === settled) running.delete(id);
    }
  };
  /** Whether the file is there at all; one that is there but unreadable is refused by readTrusteeFile. */
  const keystoreExists = (path: string) =>
    stat(path).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw new ApiError(409, 'TRUSTEE_KEYSTORE_UNREADABLE', `cannot read ${path}: ${error.code ?? error.message}`);
      },
    );

  /** The election, this office's slot in it and its unlocked keystore, each checked in this order. */
  const trustee = async (id: string, passphrase: string) => {
    damage.refuse();
    const key = officeKeyOf(config, signingKey);
    const records = found(await electionRecords(chain, id), `no election ${id} on this chain`);
    const election = viewOf(records);
    trusteeIndexOf(election, key.publicKey);
    const path = trusteeKeystorePath(dataDir, id);
    // REJECT: no keystore here: the trustee made its transport key elsewhere (its file belongs in this folder)
    if (!(await keystoreExists(path)))
      throw new ApiError(
        409,
        'TRUSTEE_KEYSTORE_MISSING',
        `this node holds no trustee keystore for election ${id} (${path})`,
      );
    const secrets = await unlockTrusteeKeystore(path, passphrase);
    const me = trusteeSlot(election, key.publicKey, secrets);
    const dealings = records.dealings.map(({ trustee, record }) => ({ trustee, dealing: record.dealing }));
    const [group, boxes] = [await sodiumGroup(), await sealedBoxes()];
    return { election, me, path, secrets, dealings, group, boxes };
  };

  return {
    electionTrustee: async ({ params: { id } }) => {
      const path = trusteeKeystorePath(dataDir, id);
      try {
        if (!(await keystoreExists(path))) return { election: id, keystore: false };
        return { election: id, keystore: true, transportKey: (await readTrusteeFile(path)).transportKey };
      } catch (error) {
        throw asApiError(error);
      }
    },
    electionTrusteeKey: ({ params: { id }, body }) =>
      oneAtATime(id, async () => {
        damage.refuse();
        officeKeyOf(config, signingKey);
        const path = trusteeKeystorePath(dataDir, id);
        // REJECT: a keystore is never overwritten: its transport key may already be in a definition
        if (await keystoreExists(path))
          throw new ApiError(
            409,
            'TRUSTEE_KEYSTORE_EXISTS',
            `this node already holds a trustee keystore for election ${id}; it is never replaced`,
          );
        // REJECT: once the election is on chain its definition names every transport key: a new one is useless
        if (await electionRecords(chain, id))
          throw new ApiError(
            409,
            'ELECTION_EXISTS',
            `election ${id} is on chain already: its trustees' transport keys are fixed in its definition`,
          );
        const transport = (await sealedBoxes()).keyPair();
        await mkdir(join(dataDir, DataFiles.trustees), { recursive: true, mode: 0o700 });
        await writeTrusteeKeystore(path, { election: id, transport }, body.passphrase);
        return { election: id, transportKey: bytesToHex(transport.publicKey) };
      }),
    electionTrusteeDeal: ({ params: { id }, body }) =>
      oneAtATime(id, async () => {
        const { path, ...context } = await trustee(id, body.passphrase);
        const { dealing, keep } = dealingOf(context);
        // kept before it is sent: a retry sends the same dealing again, never a second polynomial
        if (keep) await writeTrusteeKeystore(path, keep, body.passphrase);
        return asOffice('election.dkg.deal', { election: id, dealing });
      }),
    electionTrusteeCheck: ({ params: { id }, body }) =>
      oneAtATime(id, async () => {
        const context = await trustee(id, body.passphrase);
        const { election, me, dealings } = context;
        const shares = openShares(context, dealings);
        const complaints = [];
        for (const { dealer, problem, complaint } of complaintsOf(election, me, shares))
          complaints.push({
            dealer,
            problem,
            submitted: await asOffice('election.dkg.complain', { election: id, complaint }),
          });
        return {
          election: id,
          trustee: me,
          good: shares.size - complaints.length,
          missing: election.trustees.length - shares.size,
          complaints,
        };
      }),
    electionTrusteeAnswer: ({ params: { id }, body }) =>
      oneAtATime(id, async () => {
        const context = await trustee(id, body.passphrase);
        const answers = [];
        for (const { recipient, answer } of answersOf(context))
          answers.push({ recipient, submitted: await asOffice('election.dkg.answer', { election: id, answer }) });
        return { election: id, trustee: context.me, answers };
      }),
    electionTrusteeDecrypt: ({ params: { id }, body }) =>
      oneAtATime(id, async () => {
        const context = await trustee(id, body.passphrase);
        const partial = partialDecryptionOf(context, context.dealings, clock.now());
        return asOffice('election.decrypt', { election: id, partial });
      }),
  } satisfies ApiHandlerPart;
}
