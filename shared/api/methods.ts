// The API method names and the Electron IPC channels, free of zod so the sandboxed preload
// bundle stays small. routes.ts checks at compile time that these are exactly its routes.
import { AUTHORITY_API_METHODS } from '../modules/authority/api-names.js';
import { PROPERTY_API_METHODS } from '../modules/property/api-names.js';
import { ELECTION_API_METHODS } from '../modules/election/api-names.js';

/** The node's own methods, then each registry module's, in module order. */
export const API_METHOD_NAMES = [
  'status',
  'submit',
  'txStatus',
  'receipt',
  'blocks',
  'block',
  'checkpoints',
  'checkpoint',
  'checkpointBundle',
  'checkpointProof',
  'outbox',
  'evidence',
  'peers',
  'validators',
  'identity',
  'inbox',
  'inboxAdd',
  'inboxChecks',
  'inboxCertify',
  'inboxRemove',
  'settings',
  'setBootstrap',
  'keystoreBackup',
  'setNetwork',
  'openapi',
  'metrics',
  ...AUTHORITY_API_METHODS,
  ...PROPERTY_API_METHODS,
  ...ELECTION_API_METHODS,
] as const;
export type ApiMethodName = (typeof API_METHOD_NAMES)[number];

/** renderer → main: `invoke(IPC_API_CHANNEL, name, request)` answers `{ status, body }`. */
export const IPC_API_CHANNEL = 'notary:api';
/** main → renderer: one ApiEvent per message. */
export const IPC_EVENT_CHANNEL = 'notary:event';
/** renderer → main: unlock the node's keystore with a passphrase (desktop only). */
export const IPC_UNLOCK_CHANNEL = 'notary:unlock';

/** What the preload puts on `window.notary`. */
export interface NotaryBridge {
  api: Record<ApiMethodName, (request?: unknown) => Promise<{ status: number; body: unknown }>>;
  onEvent(listener: (event: unknown) => void): () => void;
  unlock(passphrase: string): Promise<{ ok: true } | { ok: false; code: string; message: string }>;
}
