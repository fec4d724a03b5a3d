// The citizen's verification page entry (renderer/verify.html, issue 18): Mantine and the page's
// own i18n; no token, no node needed once loaded. A service worker (public/verify-sw.js) keeps
// the page's files for offline use; the registry and checkpoints live in IndexedDB (store.ts).
import '@mantine/core/styles.css';
import '../src/styles.css';
import '../common/public-page.css';
import './verify.css';
import { mountPage, pageTheme } from '../common/boot.js';
import { loadFastVerifier } from './fast-verifier.js';
import { verifyI18n } from './i18n/index.js';
import { nextPaint } from './ui.js';
import { VerifyApp } from './VerifyApp.js';

/**
 * The worker controls only this page ("verify…" in the page's folder), not the desktop UI or the
 * voter's page served beside it. Browsers allow it on https and on localhost only; elsewhere the
 * page still works, online.
 */
function registerServiceWorker(fastVerifier: Promise<unknown>): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  if (navigator.serviceWorker.controller === null) {
    navigator.serviceWorker.addEventListener('controllerchange', keepEarlyFiles, { once: true });
    // libsodium's chunk may still be on its way when the worker takes control
    void fastVerifier.then(() => {
      if (navigator.serviceWorker.controller !== null) keepEarlyFiles();
    });
  }
  navigator.serviceWorker.register('./verify-sw.js', { scope: './verify' }).catch((error: unknown) => {
    console.warn('the verification page will not work offline:', error);
  });
}

/**
 * On a first visit the page's files, libsodium's chunk among them, are fetched before the worker
 * controls the page, past its cache. Fetched again through the worker once it does, they are
 * kept, so the page verifies as fast offline (a file it already keeps costs it a cache read).
 */
function keepEarlyFiles(): void {
  const assets = new URL('assets/', window.location.href).href;
  for (const entry of performance.getEntriesByType('resource'))
    if (entry.name.startsWith(assets)) void fetch(entry.name).catch(() => undefined);
}

mountPage('verify.html', { i18n: verifyI18n, theme: pageTheme(), children: <VerifyApp /> });
// libsodium's verifier after the first paint, which never waits for it (fast-verifier.ts)
registerServiceWorker(nextPaint().then(loadFastVerifier));
