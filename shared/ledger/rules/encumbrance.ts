// encumbrance.add / encumbrance.release: mortgages (with the owners' consent) and court arrests.
import { LIMITS } from '../schema.js';
import { reject, RejectCode, short } from '../errors.js';
import { StateKey } from '../state.js';
import type { PropertyObject, TxOf } from '../types.js';
import { activeAuthority, checkSignatures, existingObject, requireSigner, type RuleContext } from './common.js';

export function applyEncumbranceAdd(tx: TxOf<'encumbrance.add'>, context: RuleContext): void {
  const { encumbrance } = tx.payload;
  const object = existingObject(context, tx.payload.objectId, tx.payload.objectVersion);
  const ownerKeys = object.owners.map((owner) => owner.key);
  const mortgage = encumbrance.kind === 'mortgage';
  checkSignatures(tx, context, (key) => key === encumbrance.holder || (mortgage && ownerKeys.includes(key)));
  requireSigner(tx, encumbrance.holder, 'holder');
  // REJECT: only a recognised bank or court (an active authority) may encumber an object.
  if (!activeAuthority(context, encumbrance.holder, ['observer', 'registrar'])) {
    reject(RejectCode.notAuthorized, `holder ${short(encumbrance.holder)} is not an active bank, court or registrar`);
  }
  // REJECT: a mortgage needs every owner's consent; an arrest is imposed without it.
  if (mortgage) for (const key of ownerKeys) requireSigner(tx, key, 'owner');
  if (object.encumbrances.some((existing) => existing.id === encumbrance.id)) {
    reject(RejectCode.encumbranceExists, `object ${object.id} already has encumbrance ${encumbrance.id}`);
  }
  if (object.encumbrances.length >= LIMITS.encumbrancesMax) {
    reject(RejectCode.tooManyEncumbrances, `object ${object.id} already has ${LIMITS.encumbrancesMax} encumbrances`);
  }
  const updated: PropertyObject = {
    ...object,
    encumbrances: [...object.encumbrances, { ...encumbrance, sinceHeight: context.block.height }],
    version: object.version + 1,
    updatedHeight: context.block.height,
  };
  context.state.set(StateKey.object(object.id), updated);
}

export function applyEncumbranceRelease(tx: TxOf<'encumbrance.release'>, context: RuleContext): void {
  const object = existingObject(context, tx.payload.objectId, tx.payload.objectVersion);
  const encumbrance = object.encumbrances.find((existing) => existing.id === tx.payload.encumbranceId);
  if (!encumbrance)
    reject(RejectCode.unknownEncumbrance, `object ${object.id} has no encumbrance ${tx.payload.encumbranceId}`);
  // REJECT: only the bank or court that imposed an encumbrance lifts it.
  checkSignatures(tx, context, (key) => key === encumbrance.holder);
  requireSigner(tx, encumbrance.holder, 'holder');
  const updated: PropertyObject = {
    ...object,
    encumbrances: object.encumbrances.filter((existing) => existing.id !== encumbrance.id),
    version: object.version + 1,
    updatedHeight: context.block.height,
  };
  context.state.set(StateKey.object(object.id), updated);
}
