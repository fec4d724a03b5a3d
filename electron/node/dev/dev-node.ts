// The embedded default of `npm start` and of the desktop app's first run: a single-validator
// dev chain (this node is its notary) in a data folder, seeded with demo objects. Its keystore
// passphrase is generated and kept beside it in DATA/dev-passphrase (mode 0600) so the demo
// starts without questions: development only; real offices use `notary init` with their own.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFiles, writeFileDurably } from '../config.js';
import { initNode } from '../setup/init.js';

export const DEV_PASSPHRASE_FILE = 'dev-passphrase';

/**
 * The demo's node-level heartbeat override: a block every few seconds while idle, so someone
 * trying the app sees the chain move. A real chain's heartbeat is its parameter (2 minutes by
 * default, decision #54); a node made by `notary init` keeps it.
 */
export const DEV_NODE_HEARTBEAT_MS = 5_000;

/** Creates the dev node on first use; answers the passphrase to start it with (if it is a dev node). */
export async function ensureDevNode(dataDir: string): Promise<{ created: boolean; passphrase: string | undefined }> {
  const passphraseFile = join(dataDir, DEV_PASSPHRASE_FILE);
  if (existsSync(join(dataDir, DataFiles.config))) {
    const passphrase = existsSync(passphraseFile) ? (await readFile(passphraseFile, 'utf8')).trim() : undefined;
    return { created: false, passphrase };
  }
  const passphrase = randomBytes(18).toString('base64url');
  await initNode({ dataDir, dev: true, role: 'notary', name: 'Dev notary office', passphrase });
  const configPath = join(dataDir, DataFiles.config);
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { consensus?: Record<string, unknown> };
  config.consensus = { ...config.consensus, heartbeatMs: DEV_NODE_HEARTBEAT_MS };
  await writeFileDurably(configPath, `${JSON.stringify(config, null, 2)}\n`);
  await writeFileDurably(passphraseFile, `${passphrase}\n`, 0o600);
  return { created: true, passphrase };
}
