// Entry: i18n, Mantine, TanStack Query (the pages' shared start, ../common/boot.tsx), and the
// connection to the node (IPC or HTTP + token).
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { mountPage, pageTheme } from '../common/boot.js';
import { pageQueryClient } from '../common/query.js';
import { connect, takeToken } from './api.js';
import { App } from './App.js';
import { ConnectionProvider } from './data.js';
import { i18n } from './i18n/index.js';
import { NoToken } from './screens/NoToken.js';

// an office that asked its system for less motion gets dialogs that appear at once
const theme = pageTheme({ respectReducedMotion: true });

const connection = connect();
// the printed address pasted into a tab that is already open changes only the hash: take it and start over
window.addEventListener('hashchange', () => {
  if (connection.kind !== 'electron' && /(?:^#|&)token=/.test(window.location.hash) && takeToken())
    window.location.reload();
});
mountPage('index.html', {
  i18n,
  theme,
  children: (
    <>
      <Notifications position="bottom-right" />
      {connection.kind === 'no-token' ? (
        <NoToken />
      ) : (
        <QueryClientProvider client={pageQueryClient()}>
          <ConnectionProvider connection={connection}>
            <App />
          </ConnectionProvider>
        </QueryClientProvider>
      )}
    </>
  ),
});
