// Schemas for every ledger value that crosses a boundary (network, API, files, store).
// Types are inferred from them, so the checked shape and the typed shape cannot drift.
// Every string, array and number has a bound (TigerBeetle: put a limit on everything).
import { z } from 'zod';

export const LIMITS = {
  idLengthMax: 64,
  textLengthMax: 256,
  nameLengthMax: 128,
  partiesMax: 64,
  ownersMax: 64,
  signaturesMax: 128,
  encumbrancesMax: 16,
  shareDenominatorMax: 1_000_000_000,
  amountMinorMax: Number.MAX_SAFE_INTEGER,
  chainIdLengthMax: 64,
  txBytesMax: 64 * 1024,
  /** How far ahead a transaction may expire; bounds how long replay records must be kept. */
  txLifetimeMaxMs: 30 * 24 * 3600 * 1000,
} as const;

export const hash = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters (a sha256 hash)');
export const publicKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected an ed25519 public key as 64 lowercase hex characters');
export const signature = z
  .string()
  .regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature as 128 lowercase hex characters');
export const chainId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a chain id is 1-64 lowercase letters, digits and dashes');
export const objectId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'an object id is 1-64 letters, digits and . _ : / -');
const text = (max: number) => z.string().min(1).max(max);
const uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const timeMs = uint;
const amountMinor = uint;

export const share = z
  .tuple([z.number().int().positive(), z.number().int().positive().max(LIMITS.shareDenominatorMax)])
  .refine(([n, d]) => n <= d, 'a share is a fraction between 0 and 1');

export const owner = z.strictObject({ key: publicKey, share });
const uniqueKeys = (list: { key: string }[]) => new Set(list.map((entry) => entry.key)).size === list.length;
const owners = z.array(owner).min(1).max(LIMITS.ownersMax).refine(uniqueKeys, 'a key is listed twice');

export const role = z.enum(['registrar', 'notary', 'observer']);
export const authorityStatus = z.enum(['active', 'suspended', 'revoked']);
export const propertyKind = z.enum(['land', 'building', 'apartment', 'premises', 'parking', 'other']);
export const encumbranceKind = z.enum(['mortgage', 'arrest']);

// ---- state records -------------------------------------------------------------------

export const encumbrance = z.strictObject({
  id: text(LIMITS.idLengthMax),
  kind: encumbranceKind,
  /** The bank (mortgage) or court (arrest): an active authority. */
  holder: publicKey,
  /** The loan agreement or court order number. */
  reference: text(LIMITS.idLengthMax),
  sinceHeight: uint,
});

export const propertyObject = z.strictObject({
  id: objectId,
  kind: propertyKind,
  address: text(LIMITS.textLengthMax),
  /** Area in square decimetres (1 m² = 100 dm²): exact to 0.01 m² in an integer. */
  areaDm2: uint,
  owners,
  encumbrances: z.array(encumbrance).max(LIMITS.encumbrancesMax),
  /** Bumped by every transaction on the object: the optimistic-concurrency check. */
  version: uint,
  registeredHeight: uint,
  updatedHeight: uint,
});

export const authority = z.strictObject({
  key: publicKey,
  role,
  name: text(LIMITS.nameLengthMax),
  status: authorityStatus,
  /** libp2p peer id of the authority's node, for the connection gater. */
  peerId: z.string().max(128).optional(),
  version: uint,
  sinceHeight: uint,
});

export const feeSchedule = z.strictObject({
  /** The least state duty for any transfer, in minor units (kopecks). */
  dutyMinimumMinor: amountMinor,
  /** Duty as a share of the contract price, in basis points (1 bp = 0.01 %). */
  dutyRateBasisPoints: z.number().int().min(0).max(10_000),
});

export const authorityIndexEntry = z.strictObject({ key: publicKey, role, status: authorityStatus });
export const authorityIndex = z.array(authorityIndexEntry).max(100_000);

export const validatorSet = z.array(publicKey).max(10_000);

export const validatorSchedule = z
  .array(z.strictObject({ fromHeight: uint, validators: z.array(publicKey).max(10_000) }))
  .min(1)
  .max(3);

export const replayRecord = z.strictObject({ height: uint, expiresAtMs: timeMs });

// ---- transactions ----------------------------------------------------------------------

export const signatureEntry = z.strictObject({ key: publicKey, signature });
const signatures = z.array(signatureEntry).max(LIMITS.signaturesMax).refine(uniqueKeys, 'a key signed twice');

export const registerPayload = z.strictObject({
  object: z.strictObject({
    id: objectId,
    kind: propertyKind,
    address: text(LIMITS.textLengthMax),
    areaDm2: uint,
    owners,
  }),
  registrar: publicKey,
});

export const contract = z.strictObject({
  objectId,
  /** The object version the parties saw when they signed. */
  objectVersion: uint,
  sellers: owners,
  buyers: owners,
  priceMinor: amountMinor,
  currency: z.enum(['BYN']),
});

export const transferPayload = z.strictObject({
  contract,
  /** Signatures over the contract (Domain.contract) by sellers, buyers and any consenting mortgage holder. */
  consents: signatures,
  notary: publicKey,
  duty: z.strictObject({ reference: text(LIMITS.idLengthMax), amountMinor }),
});

export const encumbranceAddPayload = z.strictObject({
  objectId,
  objectVersion: uint,
  encumbrance: encumbrance.omit({ sinceHeight: true }),
});

export const encumbranceReleasePayload = z.strictObject({
  objectId,
  objectVersion: uint,
  encumbranceId: text(LIMITS.idLengthMax),
});

export const authorityAddPayload = z.strictObject({
  authority: z.strictObject({
    key: publicKey,
    role,
    name: text(LIMITS.nameLengthMax),
    peerId: z.string().max(128).optional(),
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
    })
    .refine((changes) => Object.keys(changes).length > 0, 'an update changes at least one field'),
});

export const authorityRevokePayload = z.strictObject({
  key: publicKey,
  version: uint,
  reason: text(LIMITS.textLengthMax),
});

const envelope = { chainId, expiresAtMs: timeMs, nonce: uint, signatures };

export const transaction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('property.register'), ...envelope, payload: registerPayload }),
  z.strictObject({ type: z.literal('transfer'), ...envelope, payload: transferPayload }),
  z.strictObject({ type: z.literal('encumbrance.add'), ...envelope, payload: encumbranceAddPayload }),
  z.strictObject({ type: z.literal('encumbrance.release'), ...envelope, payload: encumbranceReleasePayload }),
  z.strictObject({ type: z.literal('authority.add'), ...envelope, payload: authorityAddPayload }),
  z.strictObject({ type: z.literal('authority.update'), ...envelope, payload: authorityUpdatePayload }),
  z.strictObject({ type: z.literal('authority.revoke'), ...envelope, payload: authorityRevokePayload }),
]);

// ---- blocks -----------------------------------------------------------------------------

export const blockHeader = z.strictObject({
  chainId,
  height: uint,
  prevHash: hash,
  timeMs,
  /** Public key of the validator that proposed the block (zeros for genesis). */
  proposer: publicKey,
  txRoot: hash,
  stateRoot: hash,
  validatorsHash: hash,
  appHash: hash,
});

export const block = z.strictObject({
  header: blockHeader,
  txs: z.array(transaction).max(10_000),
});

export const commitSignature = z.strictObject({ validator: publicKey, signature });
export const commit = z.strictObject({
  height: uint,
  round: uint,
  blockHash: hash,
  signatures: z.array(commitSignature).max(10_000),
});

/**
 * A genesis authority: as authority.add, and it may start suspended (a dev chain whose
 * only validator is the node's own notary key; docs/decisions.md #26). Default active.
 */
export const genesisAuthority = authorityAddPayload.shape.authority.extend({
  status: z.enum(['active', 'suspended']).optional(),
});

export const genesis = z.strictObject({
  chainId,
  genesisTimeMs: timeMs,
  authorities: z.array(genesisAuthority).min(1).max(10_000).refine(uniqueKeys, 'a key is listed twice'),
  feeSchedule,
  properties: z.array(registerPayload.shape.object).max(10_000_000).optional(),
});
