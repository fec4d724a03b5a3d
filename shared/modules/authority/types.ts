// The authority module's records, keys, transactions and reject codes (Cosmos: types/).
// Pure: schemas only, so the assembled schema (shared/ledger/schema.ts) imports it without
// importing any rule.
import { z } from 'zod';
import { codesOf, type RejectCodeSpec } from '../../ledger/errors.js';
import { LIMITS, publicKey, text, txSchema, uint, uniqueKeys } from '../../ledger/primitives.js';

export const role = z.enum(['registrar', 'notary', 'observer']);
/** `rotated`: the office moved to another key (authority.rotate); like revoked, it never returns. */
export const authorityStatus = z.enum(['active', 'suspended', 'revoked', 'rotated']);

/** Keys an office may have rotated away from: the lineage stays short enough to read in every check. */
export const FORMER_KEYS_MAX = 16;
export const rotation = z.enum(['planned', 'lost']);

export const authority = z.strictObject({
  key: publicKey,
  role,
  name: text(LIMITS.nameLengthMax),
  status: authorityStatus,
  /** libp2p peer id of the authority's node, for the connection gater. */
  peerId: z.string().max(128).optional(),
  version: uint,
  sinceHeight: uint,
  /**
   * Designated to vote (protocol 2, REQ-VAL.1). Absent on records written before: an active
   * registrar or notary then votes, as under protocol 1.
   */
  validator: z.boolean().optional(),
  /** The office's earlier keys, oldest first (authority.rotate); the first is its identity. */
  formerKeys: z.array(publicKey).min(1).max(FORMER_KEYS_MAX).optional(),
  /** On a rotated record: the office's next key, and whether the old key signed the move. */
  rotatedTo: publicKey.optional(),
  rotation: rotation.optional(),
});

export const authorityIndexEntry = z.strictObject({
  key: publicKey,
  role,
  status: authorityStatus,
  validator: z.boolean().optional(),
});
export const authorityIndex = z.array(authorityIndexEntry).max(100_000);

export const validatorSet = z.array(publicKey).max(10_000);

export const validatorSchedule = z
  .array(z.strictObject({ fromHeight: uint, validators: z.array(publicKey).max(10_000) }))
  .min(1)
  .max(3);

export const authorityAddPayload = z.strictObject({
  authority: z.strictObject({
    key: publicKey,
    role,
    name: text(LIMITS.nameLengthMax),
    peerId: z.string().max(128).optional(),
    /** From protocol 2; absent there means false (a full node that certifies without voting). */
    validator: z.boolean().optional(),
  }),
});

export const authorityUpdatePayload = z.strictObject({
  key: publicKey,
  version: uint,
  changes: z
    .strictObject({
      role: role.optional(),
      name: text(LIMITS.nameLengthMax).optional(),
      status: z.enum(['active', 'suspended']).optional(),
      peerId: z.string().max(128).optional(),
      /** From protocol 2: designate (true) or withdraw (false) the authority as a validator. */
      validator: z.boolean().optional(),
    })
    .refine((changes) => Object.keys(changes).length > 0, 'an update changes at least one field'),
});

export const authorityRevokePayload = z.strictObject({
  key: publicKey,
  version: uint,
  reason: text(LIMITS.textLengthMax),
});

/** The office keeps its name, role, status and seat under `newKey`; `key` never signs again. */
export const authorityRotatePayload = z.strictObject({
  key: publicKey,
  version: uint,
  newKey: publicKey,
  /** planned: the old key signs too; lost: the registrars' quorum alone. */
  rotation,
  /** The node's libp2p peer id when it changes with the key (a reinstalled office). */
  peerId: z.string().max(128).optional(),
});

export const authorityAddTx = txSchema('authority.add', authorityAddPayload);
export const authorityUpdateTx = txSchema('authority.update', authorityUpdatePayload);
export const authorityRevokeTx = txSchema('authority.revoke', authorityRevokePayload);
export const authorityRotateTx = txSchema('authority.rotate', authorityRotatePayload);

/**
 * A genesis authority: as authority.add, and it may start suspended (a dev chain whose
 * only validator is the node's own notary key; docs/decisions.md #26). Default active.
 */
export const genesisAuthority = authorityAddPayload.shape.authority.extend({
  status: z.enum(['active', 'suspended']).optional(),
});

/** The module's fields of the genesis file. */
export const authorityGenesis = {
  authorities: z.array(genesisAuthority).min(1).max(10_000).refine(uniqueKeys, 'a key is listed twice'),
};

/** The keys this module owns. Prefixes are part of the protocol: never reuse or rename one. */
export const AuthorityKey = {
  authority: (key: string) => `auth/${key}`,
  authorityIndex: 'cfg/authorities',
  validatorSchedule: 'cfg/validators',
  /** Every validator set the chain ever scheduled, by its hash: receipts of old heights name theirs. */
  validatorSet: (hash: string) => `vset/${hash}`,
} as const;

export const AUTHORITY_CODES = {
  authorityExists: { code: 'AUTHORITY_EXISTS', meaning: 'The key is already a registered authority.' },
  unknownAuthority: { code: 'UNKNOWN_AUTHORITY', meaning: 'The key is not a registered authority.' },
  authorityRevoked: { code: 'AUTHORITY_REVOKED', meaning: 'The authority was revoked; a revoked key never returns.' },
  quorumNotMet: {
    code: 'QUORUM_NOT_MET',
    meaning:
      'A governance transaction (an authority change, an upgrade, the parameters) lacks signatures of more than 2/3 of active registrars.',
  },
  tooManyValidators: {
    code: 'TOO_MANY_VALIDATORS',
    meaning: "The change would make the validator set larger than the chain's maxValidators.",
  },
  noValidatorsLeft: {
    code: 'NO_VALIDATORS_LEFT',
    meaning: 'The change would leave no validator, so no block could ever be made again.',
  },
  observerNotValidator: {
    code: 'OBSERVER_NOT_VALIDATOR',
    meaning: 'An observer (a bank, a court) certifies nothing and never votes; it cannot be a validator.',
  },
  noRegistrarsLeft: {
    code: 'NO_REGISTRARS_LEFT',
    meaning: 'The change would leave no active registrar, so nobody could govern the chain again.',
  },
  keyRotated: {
    code: 'KEY_ROTATED',
    meaning: "The key was rotated: it never signs again, and the office's record lives under its new key.",
  },
  tooManyRotations: {
    code: 'TOO_MANY_ROTATIONS',
    meaning: `The office already rotated its key ${FORMER_KEYS_MAX} times; revoke it and add it anew.`,
  },
} as const satisfies Record<string, RejectCodeSpec>;
export const AuthorityCode = codesOf(AUTHORITY_CODES);

export type Role = z.infer<typeof role>;
export type AuthorityStatus = z.infer<typeof authorityStatus>;
export type Rotation = z.infer<typeof rotation>;
export type Authority = z.infer<typeof authority>;
export type AuthorityIndexEntry = z.infer<typeof authorityIndexEntry>;
export type ValidatorSchedule = z.infer<typeof validatorSchedule>;
