// Where `notary start` gets the passphrase of the node's signing keystore: --passphrase-file
// (or NOTARY_PASSPHRASE_FILE), else a prompt when a keystore exists and stdin is a terminal.
// With neither, the node itself refuses to start with the KEYSTORE_LOCKED sentence.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFiles } from '../config.js';
import { readPassphrase } from '../keystore/index.js';

export async function startPassphrase(dataDir: string, file: string | undefined): Promise<string | undefined> {
  if (file !== undefined && file !== '') return readPassphrase({ file });
  const keystore = join(dataDir, DataFiles.signingKeystore);
  if (!process.stdin.isTTY || !(await exists(keystore))) return undefined;
  return readPassphrase({ prompt: `Passphrase of ${keystore}: ` });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
