// Encumbrances (mortgage, arrest) on a registered object. No screen of its own yet: the
// property module's object page and certificate list them; its transactions are labelled and
// printed on receipts from here.
import { defineModule } from '../types.js';
import { encumbranceStrings } from './i18n/index.js';
import { EncumbranceReceipt } from './print.js';

export const encumbrance = defineModule({
  name: 'encumbrance',
  strings: encumbranceStrings,
  screens: [],
  txTypes: {
    'encumbrance.add': { receipt: EncumbranceReceipt },
    'encumbrance.release': { receipt: EncumbranceReceipt },
  },
});
