// Elections and referenda: the commission's screens (the list and each election's state, turnout,
// close and results; creating one; the registration desk with its sealed credential print), its
// transactions' labels, and its rejections explained. The trustees' steps stay in the CLI.
import { IconCheckbox, IconIdBadge2, IconListDetails } from '@tabler/icons-react';
import { defineModule } from '../types.js';
import { CreateElection } from './CreateElection.js';
import { Desk } from './Desk.js';
import { Elections } from './Elections.js';
import { electionStrings } from './i18n/index.js';
import { PrintCredential } from './print.js';

export const election = defineModule({
  name: 'election',
  strings: electionStrings,
  screens: [
    { name: 'elections', icon: IconCheckbox, component: Elections, navGroup: 'registry' },
    { name: 'electionDesk', icon: IconIdBadge2, component: Desk, navGroup: 'registry' },
    { name: 'electionCreate', icon: IconListDetails, component: CreateElection, navGroup: 'registry' },
  ],
  txTypes: {
    'election.create': {},
    'election.dkg.deal': {},
    'election.dkg.complain': {},
    'election.dkg.answer': {},
    'election.key': {},
    'election.credential.register': {},
    'election.cast': {},
    'election.close': {},
    'election.decrypt': {},
    'election.tally': {},
  },
  prints: { credential: PrintCredential },
});
