// The encumbrance module's transactions and reject codes (Cosmos: types/). Its records
// live inside property objects (the `encumbrances` field, whose schema property owns), so it
// declares no key prefix of its own.
import { z } from 'zod';
import { codesOf, type RejectCodeSpec } from '../../ledger/errors.js';
import { LIMITS, text, txSchema, uint } from '../../ledger/primitives.js';
import { encumbrance, objectId } from '../property/types.js';

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

export const encumbranceAddTx = txSchema('encumbrance.add', encumbranceAddPayload);
export const encumbranceReleaseTx = txSchema('encumbrance.release', encumbranceReleasePayload);

export const ENCUMBRANCE_CODES = {
  encumbranceExists: { code: 'ENCUMBRANCE_EXISTS', meaning: 'The object already has an encumbrance with this id.' },
  unknownEncumbrance: { code: 'UNKNOWN_ENCUMBRANCE', meaning: 'The object has no encumbrance with this id.' },
  tooManyEncumbrances: {
    code: 'TOO_MANY_ENCUMBRANCES',
    meaning: `The object already has the most encumbrances a record holds (${LIMITS.encumbrancesMax}).`,
  },
} as const satisfies Record<string, RejectCodeSpec>;
export const EncumbranceCode = codesOf(ENCUMBRANCE_CODES);
