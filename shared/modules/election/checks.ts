// Checks the election's rules share: the election named, the one signer, part A's errors as
// reject codes, and the totals' byte form.
import { utf8 } from '../../codec/index.js';
import type { ContestShape } from '../../election/crypto/ballot.js';
import type { Ciphertext } from '../../election/crypto/elgamal.js';
import { ElectionCryptoError } from '../../election/crypto/errors.js';
import { KernelCode, reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import type { AnyTransaction } from '../../ledger/primitives.js';
import { checkSignatures } from '../../ledger/signers.js';
import { activeAuthority } from '../authority/keeper.js';
import { electionOf, electionStatusOf } from './keeper.js';
import { ElectionCode, type ElectionDefinition, type ElectionStatus } from './types.js';

export interface Election {
  definition: ElectionDefinition;
  status: ElectionStatus;
}

export function existingElection(context: RuleContext, id: string): Election {
  const definition = electionOf(context.state, id);
  const status = electionStatusOf(context.state, id);
  // REJECT: a transaction for an election this chain does not have
  if (!definition || !status) reject(ElectionCode.electionUnknown, `no election ${id} on this chain`);
  return { definition, status };
}

/**
 * The transaction's one signer, whose signature verifies. REJECT MISSING_SIGNATURE /
 * UNEXPECTED_SIGNER / BAD_SIGNATURE: a trustee, a voter or an office acts alone.
 */
export function oneSigner(tx: AnyTransaction, context: RuleContext, who: string): string {
  // REJECT: nobody signed
  if (tx.signatures.length === 0) reject(KernelCode.missingSignature, `this ${tx.type} is signed by ${who}`);
  // REJECT: a second signer has no part in it
  if (tx.signatures.length > 1) {
    reject(KernelCode.unexpectedSigner, `this ${tx.type} is signed by ${who} alone, not by ${tx.signatures.length}`);
  }
  checkSignatures(tx, context, () => true);
  return tx.signatures[0]!.key;
}

/** Trustee i's index (1-based) for `key`, or 0. */
export function trusteeIndex(definition: ElectionDefinition, key: string): number {
  return definition.trustees.findIndex((trustee) => trustee.key === key) + 1;
}

/** key, close and tally: any one trustee of the election, or one active registrar. */
export function trusteeOrRegistrar(tx: AnyTransaction, context: RuleContext, definition: ElectionDefinition): void {
  const signer = oneSigner(tx, context, 'a trustee or a registrar');
  // REJECT: the steps anyone could compute are still sent only by those with a part in the election
  if (trusteeIndex(definition, signer) === 0 && !activeAuthority(context.state, signer, ['registrar'])) {
    reject(
      KernelCode.notAuthorized,
      `key ${short(signer)} is neither a trustee of ${definition.id} nor an active registrar`,
    );
  }
}

/** The signer must be trustee `index` of the election. */
export function requireTrustee(definition: ElectionDefinition, signer: string, index: number, role: string): void {
  const trustee = definition.trustees[index - 1];
  // REJECT: a message in another trustee's name, or for a trustee the election does not have
  if (!Number.isInteger(index) || index < 1 || trustee === undefined || trustee.key !== signer) {
    reject(
      ElectionCode.notTrustee,
      trustee === undefined
        ? `${role} ${index} is not a trustee of ${definition.id}, which has ${definition.trustees.length}`
        : `key ${short(signer)} is not trustee ${index} of ${definition.id}`,
    );
  }
}

/** Runs part A's check; its error becomes the ledger code of the same name, with its sentence. */
export function cryptoCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ElectionCryptoError) reject(error.code, error.message);
    throw error;
  }
}

export function electionIdBytes(definition: ElectionDefinition): Uint8Array {
  return utf8(definition.id);
}

export function shapesOf(definition: ElectionDefinition): ContestShape[] {
  return definition.contests.map((contest) => ({ boxes: contest.choices.length, min: contest.min, max: contest.max }));
}

export function boxCount(definition: ElectionDefinition): number {
  return definition.contests.reduce((sum, contest) => sum + contest.choices.length, 0);
}

/** 64 bytes a box (α ‖ β), contests then boxes in order: A.7's total positions. */
export function ciphertextsOf(bytes: Uint8Array): Ciphertext[] {
  return Array.from({ length: bytes.length / 64 }, (_, k) => ({
    alpha: bytes.slice(64 * k, 64 * k + 32),
    beta: bytes.slice(64 * k + 32, 64 * k + 64),
  }));
}

export function ciphertextBytes(list: readonly Ciphertext[]): Uint8Array {
  const out = new Uint8Array(64 * list.length);
  list.forEach((ciphertext, k) => {
    out.set(ciphertext.alpha, 64 * k);
    out.set(ciphertext.beta, 64 * k + 32);
  });
  return out;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
