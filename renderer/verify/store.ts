// What the page keeps on this device, in IndexedDB (a checkpoint's layer can be 2 MiB, over what
// localStorage holds): the trusted registry's genesis document, and the checkpoint bundles as
// they were imported. Both are checked again at every load (shelf.ts), so an edited store can
// only lose checkpoints, never add a false one.
//
//   database "notary-verify", version 1
//   store "trust":   "genesis"              -> the genesis document (JSON value)
//   store "bundles": "<chainId>/<height>"   -> the checkpoint bundle (JSON value)

const DATABASE = 'notary-verify';
const VERSION = 1;
const TRUST = 'trust';
const BUNDLES = 'bundles';
const GENESIS_KEY = 'genesis';

export interface StoredBundle {
  key: string;
  bundle: unknown;
}

let opening: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(TRUST)) db.createObjectStore(TRUST);
      if (!db.objectStoreNames.contains(BUNDLES)) db.createObjectStore(BUNDLES);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this page'));
  });
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}

async function run<T>(store: string, mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>) {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const transaction = db.transaction(store, mode);
    const request = work(transaction.objectStore(store));
    // resolve once the transaction is durable, not when the request answers
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('IndexedDB failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB aborted'));
  });
}

export async function loadGenesis(): Promise<unknown> {
  return run<unknown>(TRUST, 'readonly', (store) => store.get(GENESIS_KEY));
}

export async function saveGenesis(genesis: unknown): Promise<void> {
  await run(TRUST, 'readwrite', (store) => store.put(genesis, GENESIS_KEY));
}

export async function loadBundles(): Promise<StoredBundle[]> {
  const db = await open();
  return new Promise<StoredBundle[]>((resolve, reject) => {
    const transaction = db.transaction(BUNDLES, 'readonly');
    const found: StoredBundle[] = [];
    const cursor = transaction.objectStore(BUNDLES).openCursor();
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (!at) return;
      found.push({ key: String(at.key), bundle: at.value });
      at.continue();
    };
    transaction.oncomplete = () => resolve(found);
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB failed'));
  });
}

export async function saveBundle(key: string, bundle: unknown): Promise<void> {
  await run(BUNDLES, 'readwrite', (store) => store.put(bundle, key));
}

export async function removeBundle(key: string): Promise<void> {
  await run(BUNDLES, 'readwrite', (store) => store.delete(key));
}
