// property.register and transfer: the registry's two core transactions.
import { reject, RejectCode, short } from '../errors.js';
import * as shares from '../shares.js';
import { normalizeOwners } from '../shares.js';
import { StateKey } from '../state.js';
import type { Owner, PropertyObject, TxOf } from '../types.js';
import {
  activeAuthority,
  checkConsents,
  checkSignatures,
  dutyOwedMinor,
  existingObject,
  formatMinor,
  requireSigner,
  type RuleContext,
} from './common.js';

export function applyRegister(tx: TxOf<'property.register'>, context: RuleContext): void {
  const { object, registrar } = tx.payload;
  checkSignatures(tx, context, (key) => key === registrar);
  requireSigner(tx, registrar, 'registrar');
  // REJECT: only an active registrar may enter an object into the registry.
  if (!activeAuthority(context, registrar, ['registrar'])) {
    reject(RejectCode.notAuthorized, `key ${short(registrar)} is not an active registrar`);
  }
  // REJECT: an object is registered once; later changes go through transfers.
  if (context.state.object(object.id)) reject(RejectCode.objectExists, `object ${object.id} is already registered`);
  // REJECT: owners' shares must make the whole object, no more, no less.
  const total = shares.sum(object.owners.map((owner) => owner.share));
  if (shares.compare(total, shares.ONE) !== 0) {
    reject(RejectCode.sharesMismatch, `owners' shares of ${object.id} add up to ${total.n}/${total.d}, not 1`);
  }
  const record: PropertyObject = {
    ...object,
    owners: normalizeOwners(object.owners),
    encumbrances: [],
    version: 1,
    registeredHeight: context.block.height,
    updatedHeight: context.block.height,
  };
  context.state.set(StateKey.object(object.id), record);
}

export function applyTransfer(tx: TxOf<'transfer'>, context: RuleContext): void {
  const { contract, consents, notary, duty } = tx.payload;
  checkSignatures(tx, context, (key) => key === notary);
  requireSigner(tx, notary, 'notary');
  // REJECT: only an active notary certifies; a suspended or revoked one cannot.
  if (!activeAuthority(context, notary, ['notary'])) {
    reject(RejectCode.notaryNotActive, `notary ${short(notary)} is not an active notary`);
  }
  // REJECT: a sale has a price; a gift (price 0) is another contract with its own duty rule,
  // which the registry does not carry yet, so it is not certified as a sale at zero.
  if (contract.priceMinor === 0) {
    reject(
      RejectCode.priceZero,
      `the contract's price is 0 BYN: a transfer is a sale and needs a price (a gift is a different contract, not yet supported)`,
    );
  }
  const signed = checkConsents(consents, context.digests.contractHash(contract), context);
  for (const party of [...contract.sellers, ...contract.buyers]) {
    // REJECT: every seller and buyer signs the contract itself.
    if (!signed.has(party.key))
      reject(RejectCode.missingSignature, `party ${short(party.key)} has not signed the contract`);
  }
  const object = existingObject(context, contract.objectId, contract.objectVersion);
  const remaining = ownerShares(object.owners);
  for (const seller of contract.sellers) {
    const owned = remaining.get(seller.key);
    // REJECT: a seller sells only what they own.
    if (!owned) reject(RejectCode.sellerNotOwner, `seller ${short(seller.key)} does not own object ${object.id}`);
    const sold = shares.fraction(seller.share);
    if (shares.compare(sold, owned) > 0) {
      reject(
        RejectCode.sellerNotOwner,
        `seller ${short(seller.key)} owns ${owned.n}/${owned.d} of ${object.id}, less than the ${shares.format(seller.share)} sold`,
      );
    }
    remaining.set(seller.key, shares.subtract(owned, sold));
  }
  // REJECT: what the buyers receive is exactly what the sellers give up.
  const sold = shares.sum(contract.sellers.map((seller) => seller.share));
  const bought = shares.sum(contract.buyers.map((buyer) => buyer.share));
  if (shares.compare(sold, bought) !== 0) {
    reject(RejectCode.sharesMismatch, `sellers give ${sold.n}/${sold.d} but buyers receive ${bought.n}/${bought.d}`);
  }
  for (const encumbrance of object.encumbrances) {
    // REJECT: a court arrest freezes the object; a mortgage needs its holder's consent.
    if (encumbrance.kind === 'arrest') {
      reject(RejectCode.encumbered, `object ${object.id} is under arrest (${encumbrance.reference})`);
    }
    if (!signed.has(encumbrance.holder)) {
      reject(
        RejectCode.encumbered,
        `object ${object.id} is mortgaged (${encumbrance.reference}) and the holder has not consented`,
      );
    }
  }
  const consenting = new Set([...contract.sellers, ...contract.buyers].map((party) => party.key));
  for (const encumbrance of object.encumbrances) consenting.add(encumbrance.holder);
  for (const key of signed) {
    // REJECT: a contract signature from someone with no part in it is a sign of a mix-up.
    if (!consenting.has(key))
      reject(RejectCode.unexpectedSigner, `key ${short(key)} signed the contract but is not a party to it`);
  }
  // REJECT: the notary certifies only once the state duty of the fee schedule is paid.
  const owed = dutyOwedMinor(context.state.fees(), contract.priceMinor);
  if (duty.amountMinor < owed) {
    reject(
      RejectCode.dutyTooLow,
      `state duty paid ${formatMinor(duty.amountMinor)} BYN is below the ${formatMinor(owed)} BYN owed`,
    );
  }
  for (const buyer of contract.buyers) {
    const before = remaining.get(buyer.key) ?? shares.ZERO;
    remaining.set(buyer.key, shares.add(before, shares.fraction(buyer.share)));
  }
  const owners: Owner[] = [];
  for (const [key, share] of remaining) if (share.n > 0n) owners.push({ key, share: shares.toShare(share) });
  const updated: PropertyObject = {
    ...object,
    owners: normalizeOwners(owners),
    version: object.version + 1,
    updatedHeight: context.block.height,
  };
  context.state.set(StateKey.object(object.id), updated);
}

function ownerShares(owners: Owner[]): Map<string, shares.Fraction> {
  return new Map(owners.map((owner) => [owner.key, shares.fraction(owner.share)]));
}
