// What `NotaryNode.start` takes (node.ts), and where the built UI is by default.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/** The built renderer beside the sources (npm run build:renderer), if it was built. */
export function defaultUiDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export interface StartOptions {
  dataDir: string;
  /** Overrides config.api. allowRemote: serve non-loopback clients too (default false). */
  api?: { host: string; port: number; allowRemote?: boolean };
  /** Overrides config.listen. */
  listen?: string[];
  logger?: Logger;
  /** The built renderer served at / on the API port; default: dist/renderer if built; null: none. */
  uiDir?: string | null;
  /** Unlocks DATA/signing-key.keystore.json (written by `notary init`), when there is one. */
  passphrase?: string;
  /** A data folder without a chain joins from a state snapshot peers offer (snapshot/join-start.ts). */
  joinSnapshot?: boolean;
  /** Overrides config.gateway's address: serve the public election gateway there (api/gateway.ts). */
  gateway?: { host: string; port: number };
}
