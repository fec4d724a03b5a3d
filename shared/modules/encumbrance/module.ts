// The encumbrance module: mortgages (with the owners' consent) and court arrests on
// property objects, added and released by the bank or court that holds them.
import { defineModule, defineTx } from '../../ledger/module.js';
import { authorityReads } from '../authority/keeper.js';
import { objectReads } from '../property/keeper.js';
import { applyEncumbranceAdd, applyEncumbranceRelease } from './rules.js';
import * as types from './types.js';

export const encumbranceModule = defineModule({
  name: 'encumbrance',
  describe: 'Mortgages and court arrests on property objects',
  uses: ['authority', 'property'],
  prefixes: [],
  txs: [
    defineTx('encumbrance.add', types.encumbranceAddTx, {
      describe: 'A bank (with the owners) mortgages an object, or a court arrests it',
      keysOf: (tx) => [...objectReads(tx.payload.objectId), ...authorityReads(tx.payload.encumbrance.holder)],
      apply: applyEncumbranceAdd,
      subject: (tx) => tx.payload.objectId,
    }),
    defineTx('encumbrance.release', types.encumbranceReleaseTx, {
      describe: 'The bank or court that holds an encumbrance lifts it',
      keysOf: (tx) => objectReads(tx.payload.objectId),
      apply: applyEncumbranceRelease,
      subject: (tx) => tx.payload.objectId,
    }),
  ],
  codes: types.ENCUMBRANCE_CODES,
});
