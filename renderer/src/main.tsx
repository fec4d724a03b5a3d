// Entry: i18n, Mantine, TanStack Query, and the connection to the node (IPC or HTTP + token).
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { ApiCallError } from '../../shared/api/index.js';
import { connect, takeToken } from './api.js';
import { App } from './App.js';
import { ConnectionProvider } from './data.js';
import { i18n } from './i18n/index.js';
import { NoToken } from './screens/NoToken.js';

// The page runs under script-src 'self': zod must not try to compile validators with new Function.
z.config({ jitless: true });

const theme = createTheme({
  primaryColor: 'indigo',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  focusRing: 'auto',
  // an office that asked its system for less motion gets dialogs that appear at once
  respectReducedMotion: true,
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 2_000,
      // a 4xx is an answer, not a hiccup: do not hammer the node with it
      // nor an answer this UI does not understand (a node of another version): retrying cannot help
      retry: (count, error) =>
        !(
          error instanceof ApiCallError &&
          ((error.status >= 400 && error.status < 500) || error.code === 'UNEXPECTED_ANSWER')
        ) && count < 2,
    },
  },
});

const connection = connect();
// the printed address pasted into a tab that is already open changes only the hash: take it and start over
window.addEventListener('hashchange', () => {
  if (connection.kind !== 'electron' && /(?:^#|&)token=/.test(window.location.hash) && takeToken())
    window.location.reload();
});
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <Notifications position="bottom-right" />
        {connection.kind === 'no-token' ? (
          <NoToken />
        ) : (
          <QueryClientProvider client={queryClient}>
            <ConnectionProvider connection={connection}>
              <App />
            </ConnectionProvider>
          </QueryClientProvider>
        )}
      </MantineProvider>
    </I18nextProvider>
  </StrictMode>,
);
