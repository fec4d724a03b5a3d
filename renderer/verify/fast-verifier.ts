// The verification page's faster signature check (issue 15, decision #75): libsodium's ed25519
// (shared/receipt/sodium-verifier.ts) decides what it accepts, @noble every refusal, so its
// answers are exactly @noble's; only the time differs (in Chromium, per receipt, a main-thread
// p99 of 1.46 ms against 2.55 ms, and a fresh page's first verification 2.4 ms against 50-85 ms).
// Its own chunk, imported in the background once the page has painted. When it cannot load (a
// host whose policy forbids WebAssembly, offline before the chunk was cached) the page keeps
// @noble and says nothing: nothing the person sees depends on it.
import type { Verifier } from '../../shared/crypto/index.js';

let loading: Promise<Verifier | undefined> | undefined;
let loaded: Verifier | undefined;

/** Starts loading libsodium's verifier, once; resolves to it, or to undefined when it cannot load. */
export function loadFastVerifier(): Promise<Verifier | undefined> {
  loading ??= import('../../shared/receipt/sodium-verifier.js')
    .then(({ createSodiumReceiptVerifier }) => createSodiumReceiptVerifier())
    .then(
      (verifier) => (loaded = verifier),
      () => undefined,
    );
  return loading;
}

/**
 * The verifier for a file checked now: libsodium's once loaded, else undefined (@noble). A check
 * asked for while it still loads does not wait for it: @noble's first verification on a fresh
 * page (tens of milliseconds) is shorter than fetching and compiling the chunk (~0.5 MB) over a
 * phone's network, so waiting could only make that answer later.
 */
export function fastVerifier(): Verifier | undefined {
  return loaded;
}
