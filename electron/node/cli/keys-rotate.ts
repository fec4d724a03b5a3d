// `notary keys rotate`: the office's planned key rotation (decision #51). A new key is made in
// the node's keystore (sealed with the same passphrase) and the authority.rotate transaction,
// signed by the current key, is written for the registrars to co-sign like any authority change.
// Loaded only when the command runs: `notary keys` itself stays free of the ledger (cli-start test).
import { join, resolve } from 'node:path';
import { signTransaction } from '../../../shared/ledger/index.js';
import { DataFiles, readConfig } from '../config.js';
import { readPassphrase } from '../keystore/index.js';
import { prepareNextKey } from '../keystore/key-ring.js';
import { readSigningKey } from '../keystore/signing-key.js';
import { CliError } from './errors.js';
import { envelopeOf, exists, summary, writeTx } from './tx-build.js';

export interface RotateOptions {
  data: string;
  version: number;
  out: string;
  force?: boolean;
  expiresInHours: number;
  nonce?: number;
  peerId?: string;
  passphraseFile?: string;
}

export async function rotateKeys(options: RotateOptions): Promise<void> {
  const dataDir = resolve(options.data);
  const config = await readConfig(dataDir);
  const keystore = join(dataDir, DataFiles.signingKeystore);
  const passphrase = (await exists(keystore))
    ? await readPassphrase({ file: options.passphraseFile, prompt: `Passphrase of ${keystore}: ` })
    : undefined;
  const current = await readSigningKey(dataDir, config.role, passphrase);
  if (!current) throw new CliError(`${dataDir} holds no signing key to rotate (an observer's node).`);
  const { next, created } = await prepareNextKey(dataDir, current, passphrase);
  const unsigned = {
    type: 'authority.rotate',
    ...(await envelopeOf({ data: dataDir, expiresInHours: options.expiresInHours, nonce: options.nonce })),
    payload: {
      key: current.publicKey,
      version: options.version,
      newKey: next.publicKey,
      rotation: 'planned',
      ...(options.peerId ? { peerId: options.peerId } : {}),
    },
  };
  const tx = await writeTx(
    signTransaction(unsigned as Parameters<typeof signTransaction>[0], current.secretKey),
    options,
  );
  console.log(`new key ${next.publicKey}${created ? '' : ' (made by an earlier run, kept)'}`);
  console.log(summary(tx, options.out));
  console.error(
    'notary: signed by the current key. Restart the node now, so it holds both keys; then send the file to the registrars ' +
      '(notary tx sign FILE, or the Governance screen) and submit it once more than 2/3 have signed. From the block that ' +
      'rotates the key the node signs with the new key, and votes with it from two blocks later; the old key is then ' +
      `moved, still encrypted, to ${join(dataDir, DataFiles.retiredKeys)}.`,
  );
}
