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

/** Creates the dev node on first use; answers the passphrase to start it with (if it is a dev node). */
export async function ensureDevNode(dataDir: string): Promise<{ created: boolean; passphrase: string | undefined }> {
  const passphraseFile = join(dataDir, DEV_PASSPHRASE_FILE);
  if (existsSync(join(dataDir, DataFiles.config))) {
    const passphrase = existsSync(passphraseFile) ? (await readFile(passphraseFile, 'utf8')).trim() : undefined;
    return { created: false, passphrase };
  }
  const passphrase = randomBytes(18).toString('base64url');
  await initNode({ dataDir, dev: true, role: 'notary', name: 'Dev notary office', passphrase });
  await writeFileDurably(passphraseFile, `${passphrase}\n`, 0o600);
  return { created: true, passphrase };
}
