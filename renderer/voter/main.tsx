// The voter's page entry (renderer/voter.html): Mantine, TanStack Query and the page's own
// i18n; no token and nothing of the desktop app's shell. Served by the public gateway at /.
import '@mantine/core/styles.css';
import '../src/styles.css';
import './voter.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { ApiCallError } from './api.js';
import { voterI18n } from './i18n/index.js';
import { VoterApp } from './VoterApp.js';

// The page runs under script-src 'self': zod must not compile validators with new Function.
z.config({ jitless: true });

const theme = createTheme({
  primaryColor: 'indigo',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  focusRing: 'auto',
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 2_000,
      // a 4xx or an answer this page does not read is an answer, not a hiccup: retrying cannot help
      retry: (count, error) =>
        !(
          error instanceof ApiCallError &&
          ((error.status >= 400 && error.status < 500) || error.code === 'UNEXPECTED_ANSWER')
        ) && count < 2,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('voter.html has no #root');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={voterI18n}>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <QueryClientProvider client={queryClient}>
          <VoterApp />
        </QueryClientProvider>
      </MantineProvider>
    </I18nextProvider>
  </StrictMode>,
);
