// The voter's page entry (renderer/voter.html): Mantine, TanStack Query and the page's own
// i18n; no token and nothing of the desktop app's shell. Served by the public gateway at /.
import '@mantine/core/styles.css';
import '../src/styles.css';
import '../common/public-page.css';
import './voter.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { mountPage, pageTheme } from '../common/boot.js';
import { pageQueryClient } from '../common/query.js';
import { voterI18n } from './i18n/index.js';
import { VoterApp } from './VoterApp.js';

mountPage('voter.html', {
  i18n: voterI18n,
  theme: pageTheme(),
  children: (
    <QueryClientProvider client={pageQueryClient()}>
      <VoterApp />
    </QueryClientProvider>
  ),
});
