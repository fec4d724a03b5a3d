// The citizen's verification page entry (renderer/verify.html, issue 18): Mantine and the page's
// own i18n; no token, no node needed once loaded. A service worker (public/verify-sw.js) keeps
// the page's files for offline use; the registry and checkpoints live in IndexedDB (store.ts).
import '@mantine/core/styles.css';
import '../src/styles.css';
import '../common/public-page.css';
import './verify.css';
import { mountPage, pageTheme } from '../common/boot.js';
import { verifyI18n } from './i18n/index.js';
import { VerifyApp } from './VerifyApp.js';

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

mountPage('verify.html', { i18n: verifyI18n, theme: pageTheme(), children: <VerifyApp /> });
registerServiceWorker();
