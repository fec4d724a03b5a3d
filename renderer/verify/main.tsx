// The citizen's verification page entry (renderer/verify.html, issue 18): Mantine and the page's
// own i18n; no token, no node needed once loaded. A service worker (public/verify-sw.js) keeps
// the page's files for offline use; the registry and checkpoints live in IndexedDB (store.ts).
import '@mantine/core/styles.css';
import '../src/styles.css';
import './verify.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { verifyI18n } from './i18n/index.js';
import { VerifyApp } from './VerifyApp.js';

// The page runs under script-src 'self': zod must not compile validators with new Function.
z.config({ jitless: true });

const theme = createTheme({
  primaryColor: 'indigo',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  focusRing: 'auto',
});

/**
 * The worker controls only this page ("verify…" in the page's folder), not the desktop UI or the
 * voter's page served beside it. Browsers allow it on https and on localhost only; elsewhere the
 * page still works, online.
 */
function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('./verify-sw.js', { scope: './verify' }).catch((error: unknown) => {
    console.warn('the verification page will not work offline:', error);
  });
}

const root = document.getElementById('root');
if (!root) throw new Error('verify.html has no #root');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={verifyI18n}>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <VerifyApp />
      </MantineProvider>
    </I18nextProvider>
  </StrictMode>,
);
registerServiceWorker();
