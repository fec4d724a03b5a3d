// Protocol upgrades and the chain's parameters. No screen of its own yet: the Network screen
// will show the scheduled upgrade and which validators run it (from GET /status); its
// transactions are labelled here, and their rejections explained.
import { defineModule } from '../types.js';
import { governanceStrings } from './i18n/index.js';

export const governance = defineModule({
  name: 'governance',
  strings: governanceStrings,
  screens: [],
  txTypes: {
    'governance.upgrade': {},
    'governance.params': {},
  },
});
