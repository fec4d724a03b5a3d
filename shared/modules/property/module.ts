// The property module: the registry of objects (land, buildings, apartments...), their
// owners' shares, transfers certified by notaries, and the state duty's fee schedule.
import { Domain, type SignatureCheck } from '../../crypto/index.js';
import { LedgerError } from '../../ledger/errors.js';
import { defineModule, defineTx } from '../../ledger/module.js';
import { authorityReads } from '../authority/keeper.js';
import { genesisObjectRecord } from './keeper.js';
import { applyCorrect, applyRegister, applyTransfer } from './rules.js';
import * as types from './types.js';
import { PropertyCode, PropertyKey } from './types.js';

export const propertyModule = defineModule({
  name: 'property',
  describe: 'Property objects, their owners and shares, and transfers certified by notaries',
  uses: ['authority'],
  prefixes: [
    { prefix: 'obj/', schema: types.propertyObject, describe: 'a property object by its id' },
    { prefix: PropertyKey.fees, exact: true, schema: types.feeSchedule, describe: "the state duty's fee schedule" },
  ],
  txs: [
    defineTx('property.register', types.registerTx, {
      describe: 'A registrar enters an object with its owners into the registry',
      keysOf: (tx) => [PropertyKey.object(tx.payload.object.id), ...authorityReads(tx.payload.registrar)],
      apply: applyRegister,
      subject: (tx) => tx.payload.object.id,
    }),
    defineTx('transfer', types.transferTx, {
      describe: 'A notary certifies a sale of shares of an object between its owners and buyers',
      keysOf: (tx) => [
        PropertyKey.object(tx.payload.contract.objectId),
        ...authorityReads(tx.payload.notary),
        PropertyKey.fees,
        // Consenting offices' records: a rotated key is refused, a holder's new key accepted.
        ...(Array.isArray(tx.payload.consents)
          ? tx.payload.consents.flatMap((entry) => authorityReads(entry.key))
          : []),
      ],
      apply: applyTransfer,
      subject: (tx) => tx.payload.contract.objectId,
      extraSignatureChecks(tx, chainId, digests) {
        const checks: SignatureCheck[] = [];
        if (!Array.isArray(tx.payload.consents)) return checks;
        const message = digests.contentHash(tx.payload.contract);
        for (const entry of tx.payload.consents)
          checks.push({ publicKey: entry.key, signature: entry.signature, domain: Domain.contract, chainId, message });
        return checks;
      },
    }),
    defineTx('property.correct', types.correctTx, {
      describe: "A registrar corrects an object's address or area, giving the reason",
      keysOf: (tx) => [PropertyKey.object(tx.payload.objectId), ...authorityReads(tx.payload.registrar)],
      apply: applyCorrect,
      subject: (tx) => tx.payload.objectId,
    }),
  ],
  codes: types.PROPERTY_CODES,
  genesis: {
    shape: types.propertyGenesis,
    init(genesis, writes) {
      writes.set(PropertyKey.fees, genesis.feeSchedule);
      for (const object of genesis.properties ?? []) {
        const record = genesisObjectRecord(object);
        if (writes.has(PropertyKey.object(object.id)))
          throw new LedgerError(PropertyCode.objectExists, `genesis lists object ${object.id} twice`);
        writes.set(PropertyKey.object(object.id), record);
      }
    },
  },
});
