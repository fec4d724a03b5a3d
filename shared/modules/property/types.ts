// The property module's records, keys, transactions and reject codes (Cosmos: types/).
// Pure: schemas only. The object record carries its encumbrances (the field's schema is
// here, since property owns the record); the encumbrance module changes them only through
// property's keeper.
import { z } from 'zod';
import { codesOf, type RejectCodeSpec } from '../../ledger/errors.js';
import {
  amountMinor,
  LIMITS,
  publicKey,
  signatures,
  text,
  txSchema,
  uint,
  uniqueKeys,
} from '../../ledger/primitives.js';

export const objectId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'an object id is 1-64 letters, digits and . _ : / -');

export const share = z
  .tuple([z.number().int().positive(), z.number().int().positive().max(LIMITS.shareDenominatorMax)])
  .refine(([n, d]) => n <= d, 'a share is a fraction between 0 and 1');

export const owner = z.strictObject({ key: publicKey, share });
export const owners = z.array(owner).min(1).max(LIMITS.ownersMax).refine(uniqueKeys, 'a key is listed twice');

export const propertyKind = z.enum(['land', 'building', 'apartment', 'premises', 'parking', 'other']);
export const encumbranceKind = z.enum(['mortgage', 'arrest']);

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

export const feeSchedule = z.strictObject({
  /** The least state duty for any transfer, in minor units (kopecks). */
  dutyMinimumMinor: amountMinor,
  /** Duty as a share of the contract price, in basis points (1 bp = 0.01 %). */
  dutyRateBasisPoints: z.number().int().min(0).max(10_000),
});

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

/** A registrar corrects an object's address or area (a survey error, a renamed street), with the reason. */
export const correctPayload = z.strictObject({
  objectId,
  /** The object version the registrar saw. */
  objectVersion: uint,
  registrar: publicKey,
  changes: z
    .strictObject({ address: text(LIMITS.textLengthMax).optional(), areaDm2: uint.optional() })
    .refine((changes) => Object.keys(changes).length > 0, 'a correction changes the address, the area or both'),
  /** Why: the survey, court decision or letter the correction rests on. */
  reason: text(LIMITS.textLengthMax),
});

export const registerTx = txSchema('property.register', registerPayload);
export const correctTx = txSchema('property.correct', correctPayload);
export const transferTx = txSchema('transfer', transferPayload);

/** The module's fields of the genesis file: the fee schedule and the objects carried over from paper. */
export const propertyGenesis = {
  feeSchedule,
  properties: z.array(registerPayload.shape.object).max(10_000_000).optional(),
};

/** The keys this module owns. Prefixes are part of the protocol: never reuse or rename one. */
export const PropertyKey = {
  object: (id: string) => `obj/${id}`,
  fees: 'cfg/fees',
} as const;

export const PROPERTY_CODES = {
  notaryNotActive: { code: 'NOTARY_NOT_ACTIVE', meaning: 'The certifying notary is unknown, suspended or revoked.' },
  objectExists: { code: 'OBJECT_EXISTS', meaning: 'An object with this id is already registered.' },
  unknownObject: { code: 'UNKNOWN_OBJECT', meaning: 'No object with this id is registered.' },
  sellerNotOwner: { code: 'SELLER_NOT_OWNER', meaning: 'A seller does not own (enough of) the object.' },
  sharesMismatch: {
    code: 'SHARES_MISMATCH',
    meaning: "Shares do not add up (sold is not bought, or the owners' shares are not 1).",
  },
  encumbered: {
    code: 'ENCUMBERED',
    meaning: 'An arrest, or a mortgage whose holder did not consent, blocks the transfer.',
  },
  priceZero: {
    code: 'PRICE_ZERO',
    meaning: 'A sale at price 0: a sale has a price, and a gift is another contract (not yet a transaction).',
  },
  dutyTooLow: { code: 'DUTY_TOO_LOW', meaning: 'The state duty paid is below the fee schedule.' },
  correctionUnchanged: {
    code: 'CORRECTION_UNCHANGED',
    meaning: 'A correction that changes nothing: the object already has the address and area given.',
  },
} as const satisfies Record<string, RejectCodeSpec>;
export const PropertyCode = codesOf(PROPERTY_CODES);

export type Share = [numerator: number, denominator: number];
export type Owner = z.infer<typeof owner>;
export type Encumbrance = z.infer<typeof encumbrance>;
export type PropertyObject = z.infer<typeof propertyObject>;
export type FeeSchedule = z.infer<typeof feeSchedule>;
export type Contract = z.infer<typeof contract>;
