// The verification page's service worker (issue 18): keeps the page's own files so it opens with
// no connection, as a phone's home-screen app. A static file (no build step): at install it reads
// verify.html for the scripts, styles and icons it names and caches them with it. Registered with
// scope "<folder>/verify", so it controls the verification page only, never the desktop UI or the
// voter's page served beside it. The node's API (…/api/…) is never cached: checkpoints are kept
// by the page itself, checked, in IndexedDB.
//
// - the page (a navigation): the network first, so a new release shows when online; the cache
//   when the network fails.
// - its files: the cache first (vite names them by content, so a cached file is never stale),
//   else the network, and what comes back is kept.
const CACHE = 'notary-verify-2';
const BASE = new URL('./', self.location.href);
const PAGE = new URL('verify.html', BASE).href;
/**
 * The files the page needs that verify.html does not name: the manifest's PNG icons (a phone
 * asks for them when the page is added to its home screen, perhaps offline).
 */
const ALSO = ['assets/verify-icon-192.png', 'assets/verify-icon-512.png'].map((name) => new URL(name, BASE).href);
/** The attributes of verify.html that name a file the page needs. */
const REFERENCE = /\b(?:src|href)="([^"#?]+)"/g;

function pageFiles(html) {
  const files = new Set();
  for (const match of html.matchAll(REFERENCE)) {
    const url = new URL(match[1], PAGE);
    if (url.origin === BASE.origin && url.href.startsWith(BASE.href)) files.add(url.href);
  }
  return [...files];
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch(PAGE, { cache: 'no-cache' });
      if (!page.ok) throw new Error(`verify.html: HTTP ${page.status}`);
      const files = [...new Set([...pageFiles(await page.clone().text()), ...ALSO])];
      await cache.addAll(files);
      await cache.put(PAGE, page);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

function isPageFile(url) {
  return url.origin === BASE.origin && url.href.startsWith(BASE.href) && !url.pathname.includes('/api/');
}

async function navigate(request) {
  const cache = await caches.open(CACHE);
  const isPage = request.url.split(/[?#]/)[0] === PAGE;
  try {
    const response = await fetch(request);
    if (isPage && response.ok) await cache.put(PAGE, response.clone());
    return response;
  } catch (error) {
    const cached = isPage ? await cache.match(PAGE) : undefined;
    if (cached) return cached;
    throw error;
  }
}

async function pageFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!isPageFile(url)) return;
  if (request.mode === 'navigate') event.respondWith(navigate(request));
  else event.respondWith(pageFile(request));
});
