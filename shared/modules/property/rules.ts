// property.register and transfer: the registry's two core transactions.
import type { z } from 'zod';
import { Domain } from '../../crypto/index.js';
import { KernelCode, reject, short } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import type { SignatureEntry } from '../../ledger/primitives.js';
import { checkSignatures, requireSigner } from '../../ledger/signers.js';
import { actsFor, activeAuthority, refuseRotatedKey } from '../authority/keeper.js';
import { dutyOwedMinor, existingObject, fees, formatMinor, objectOf, updateObject } from './keeper.js';
import * as shares from './shares.js';
import { normalizeOwners } from './shares.js';
import {
  PropertyCode,
  PropertyKey,
  type Owner,
  type PropertyObject,
  type correctTx,
  type registerTx,
  type transferTx,
} from './types.js';

const RejectCode = { ...KernelCode, ...PropertyCode };

export function applyRegister(tx: z.output<typeof registerTx>, context: RuleContext): void {
  const { object, registrar } = tx.payload;
  checkSignatures(tx, context, (key) => key === registrar);
  requireSigner(tx, registrar, 'registrar');
  // REJECT: only an active registrar may enter an object into the registry.
  if (!activeAuthority(context.state, registrar, ['registrar'])) {
    reject(RejectCode.notAuthorized, `key ${short(registrar)} is not an active registrar`);
  }
  // REJECT: an object is registered once; later changes go through transfers.
  if (objectOf(context.state, object.id)) reject(RejectCode.objectExists, `object ${object.id} is already registered`);
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
  context.state.set(PropertyKey.object(object.id), record);
}

export function applyCorrect(tx: z.output<typeof correctTx>, context: RuleContext): void {
  const { objectId, objectVersion, registrar, changes } = tx.payload;
  checkSignatures(tx, context, (key) => key === registrar);
  requireSigner(tx, registrar, 'registrar');
  // REJECT: only an active registrar corrects the registry's record of an object.
  if (!activeAuthority(context.state, registrar, ['registrar'])) {
    reject(RejectCode.notAuthorized, `key ${short(registrar)} is not an active registrar`);
  }
  const object = existingObject(context.state, objectId, objectVersion);
  // REJECT: a correction that changes nothing would only bump the version under the parties' feet.
  const address = changes.address ?? object.address;
  const areaDm2 = changes.areaDm2 ?? object.areaDm2;
  if (address === object.address && areaDm2 === object.areaDm2) {
    reject(RejectCode.correctionUnchanged, `object ${objectId} already has this address and area`);
  }
  updateObject(context.state, object, { address, areaDm2 }, context.block.height);
}

export function applyTransfer(tx: z.output<typeof transferTx>, context: RuleContext): void {
  const { contract, consents, notary, duty } = tx.payload;
  checkSignatures(tx, context, (key) => key === notary);
  requireSigner(tx, notary, 'notary');
  // REJECT: only an active notary certifies; a suspended or revoked one cannot.
  if (!activeAuthority(context.state, notary, ['notary'])) {
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
  const signed = checkConsents(consents, context.digests.contentHash(contract), context);
  // A record naming an office's former key (a seller's share, a mortgage) is the office's: it
  // consents with its current key (decision #51). A buyer signs with the very key it buys under.
  const consentedFor = (key: string) => [...signed].some((signer) => actsFor(context.state, signer, key));
  for (const party of contract.sellers) {
    // REJECT: every seller and buyer signs the contract itself.
    if (!consentedFor(party.key))
      reject(RejectCode.missingSignature, `party ${short(party.key)} has not signed the contract`);
  }
  for (const party of contract.buyers) {
    if (!signed.has(party.key))
      reject(RejectCode.missingSignature, `party ${short(party.key)} has not signed the contract`);
  }
  const object = existingObject(context.state, contract.objectId, contract.objectVersion);
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
    if (!consentedFor(encumbrance.holder)) {
      reject(
        RejectCode.encumbered,
        `object ${object.id} is mortgaged (${encumbrance.reference}) and the holder has not consented`,
      );
    }
  }
  const consenting = new Set([...contract.sellers, ...contract.buyers].map((party) => party.key));
  for (const encumbrance of object.encumbrances) consenting.add(encumbrance.holder);
  const namedKeys = [...contract.sellers.map((party) => party.key), ...object.encumbrances.map((e) => e.holder)];
  for (const key of signed) {
    // REJECT: a contract signature from someone with no part in it is a sign of a mix-up.
    if (!consenting.has(key) && !namedKeys.some((named) => actsFor(context.state, key, named)))
      reject(RejectCode.unexpectedSigner, `key ${short(key)} signed the contract but is not a party to it`);
  }
  // REJECT: the notary certifies only once the state duty of the fee schedule is paid.
  const owed = dutyOwedMinor(fees(context.state), contract.priceMinor);
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
  updateObject(context.state, object, { owners: normalizeOwners(owners) }, context.block.height);
}

function ownerShares(owners: Owner[]): Map<string, shares.Fraction> {
  return new Map(owners.map((owner) => [owner.key, shares.fraction(owner.share)]));
}

/** Consents over a transfer contract (Domain.contract), each verified. */
function checkConsents(consents: SignatureEntry[], contractHash: Uint8Array, context: RuleContext): Set<string> {
  const signed = new Set<string>();
  for (const entry of consents) {
    const valid = context.verify({
      publicKey: entry.key,
      signature: entry.signature,
      domain: Domain.contract,
      chainId: context.block.chainId,
      message: contractHash,
    });
    if (!valid) reject(RejectCode.badSignature, `the contract signature of ${short(entry.key)} does not verify`);
    // REJECT (KEY_ROTATED): an office's rotated key consents to nothing, as it signs nothing.
    refuseRotatedKey(context.state, entry.key);
    signed.add(entry.key);
  }
  return signed;
}
