// The authorities who take part in the registry (registrars, notaries, observers): the
// Governance screen, where registrars propose, co-sign and submit authority changes.
import { IconGavel } from '@tabler/icons-react';
import { defineModule } from '../types.js';
import { Governance } from './Governance.js';
import { authorityStrings } from './i18n/index.js';

export const authority = defineModule({
  name: 'authority',
  strings: authorityStrings,
  screens: [{ name: 'governance', icon: IconGavel, component: Governance, navGroup: 'network' }],
  txTypes: {
    'authority.add': {},
    'authority.update': {},
    'authority.revoke': {},
    'authority.rotate': {},
  },
});
