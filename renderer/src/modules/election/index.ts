// Elections and referenda. No screen yet (part 2: the voter's page, the commission's and the
// trustees' screens); its transactions are labelled here, and their rejections explained.
import { defineModule } from '../types.js';
import { electionStrings } from './i18n/index.js';

export const election = defineModule({
  name: 'election',
  strings: electionStrings,
  screens: [],
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
});
