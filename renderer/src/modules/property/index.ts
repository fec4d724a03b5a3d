// The property registry: its objects, owners and history (Registry), the notary's inbox of
// transfer contracts (Certify), a registrar's correction of an object, the ownership
// certificate, and the registration's, the correction's and the transfer's receipts.
import { IconCertificate, IconListSearch } from '@tabler/icons-react';
import { defineModule } from '../types.js';
import { Certify } from './Certify.js';
import { propertyStrings } from './i18n/index.js';
import { CorrectReceipt, PrintCertificate, RegisterReceipt, TransferReceipt } from './print.js';
import { Registry } from './Registry.js';

export const property = defineModule({
  name: 'property',
  strings: propertyStrings,
  screens: [
    { name: 'certify', icon: IconCertificate, component: Certify, navGroup: 'registry' },
    { name: 'registry', icon: IconListSearch, component: Registry, navGroup: 'registry' },
  ],
  txTypes: {
    'property.register': { receipt: RegisterReceipt },
    'property.correct': { receipt: CorrectReceipt },
    transfer: { receipt: TransferReceipt },
  },
  prints: { certificate: PrintCertificate },
});
