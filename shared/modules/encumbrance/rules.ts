// encumbrance.add / encumbrance.release: mortgages (with the owners' consent) and court arrests.
// It reads authorities and reads and writes objects only through their modules' keepers.
import type { z } from 'zod';
import { KernelCode, reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import { LIMITS } from '../../ledger/primitives.js';
import { checkSignatures, requireSigner } from '../../ledger/signers.js';
import { actsFor, activeAuthority } from '../authority/keeper.js';
import { existingObject, updateObject } from '../property/keeper.js';
import { EncumbranceCode, type encumbranceAddTx, type encumbranceReleaseTx } from './types.js';

const RejectCode = { ...KernelCode, ...EncumbranceCode };

export function applyEncumbranceAdd(tx: z.output<typeof encumbranceAddTx>, context: RuleContext): void {
  const { encumbrance } = tx.payload;
  const object = existingObject(context.state, tx.payload.objectId, tx.payload.objectVersion);
  const ownerKeys = object.owners.map((owner) => owner.key);
  const mortgage = encumbrance.kind === 'mortgage';
  // An owner named by an office's former key consents with its current key (decision #51).
  const ownerSigns = (key: string) => ownerKeys.some((owner) => actsFor(context.state, key, owner));
  checkSignatures(tx, context, (key) => key === encumbrance.holder || (mortgage && ownerSigns(key)));
  requireSigner(tx, encumbrance.holder, 'holder');
  // REJECT: only a recognised bank or court (an active authority) may encumber an object.
  if (!activeAuthority(context.state, encumbrance.holder, ['observer', 'registrar'])) {
    reject(RejectCode.notAuthorized, `holder ${short(encumbrance.holder)} is not an active bank, court or registrar`);
  }
  // REJECT: a mortgage needs every owner's consent; an arrest is imposed without it.
  if (mortgage) {
    for (const owner of ownerKeys) {
      if (!tx.signatures.some((entry) => actsFor(context.state, entry.key, owner)))
        reject(RejectCode.missingSignature, `owner ${short(owner)} has not signed this ${tx.type}`);
    }
  }
  if (object.encumbrances.some((existing) => existing.id === encumbrance.id)) {
    reject(RejectCode.encumbranceExists, `object ${object.id} already has encumbrance ${encumbrance.id}`);
  }
  if (object.encumbrances.length >= LIMITS.encumbrancesMax) {
    reject(RejectCode.tooManyEncumbrances, `object ${object.id} already has ${LIMITS.encumbrancesMax} encumbrances`);
  }
  const encumbrances = [...object.encumbrances, { ...encumbrance, sinceHeight: context.block.height }];
  updateObject(context.state, object, { encumbrances }, context.block.height);
}

export function applyEncumbranceRelease(tx: z.output<typeof encumbranceReleaseTx>, context: RuleContext): void {
  const object = existingObject(context.state, tx.payload.objectId, tx.payload.objectVersion);
  const encumbrance = object.encumbrances.find((existing) => existing.id === tx.payload.encumbranceId);
  if (!encumbrance)
    reject(RejectCode.unknownEncumbrance, `object ${object.id} has no encumbrance ${tx.payload.encumbranceId}`);
  // REJECT: only the bank or court that imposed an encumbrance lifts it (with its current key
  // when it rotated since: the signer's record lists the holder's key among its former keys).
  const holderSigns = (key: string) => actsFor(context.state, key, encumbrance.holder);
  checkSignatures(tx, context, holderSigns);
  if (!tx.signatures.some((entry) => holderSigns(entry.key)))
    reject(RejectCode.missingSignature, `holder ${short(encumbrance.holder)} has not signed this ${tx.type}`);
  const encumbrances = object.encumbrances.filter((existing) => existing.id !== encumbrance.id);
  updateObject(context.state, object, { encumbrances }, context.block.height);
}
