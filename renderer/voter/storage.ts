// Sealed credentials kept in this browser (localStorage): the sealed file's text only, never an
// open secret. At most CREDENTIALS_KEPT_MAX, the newest first; a text that no longer reads as a
// sealed file (storage edited by hand) is dropped.
import { readCredentialText } from '../../shared/election/voter/credential-file.js';

const STORAGE_KEY = 'notary.voter.credentials';
const CREDENTIALS_KEPT_MAX = 8;

export interface KeptCredential {
  publicKey: string;
  election: string;
  text: string;
}

export function keptCredentials(): KeptCredential[] {
  let list: unknown;
  try {
    list = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.slice(0, CREDENTIALS_KEPT_MAX).flatMap((text): KeptCredential[] => {
    if (typeof text !== 'string') return [];
    try {
      const read = readCredentialText(text);
      return read.kind === 'sealed' ? [{ publicKey: read.file.publicKey, election: read.file.election, text }] : [];
    } catch {
      return [];
    }
  });
}

function write(list: KeptCredential[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(list.slice(0, CREDENTIALS_KEPT_MAX).map((entry) => entry.text)));
  } catch {
    // storage full or disabled: the downloaded file is the voter's copy
  }
}

export function keepCredential(text: string): void {
  const read = readCredentialText(text);
  if (read.kind !== 'sealed') return;
  const rest = keptCredentials().filter((entry) => entry.publicKey !== read.file.publicKey);
  write([{ publicKey: read.file.publicKey, election: read.file.election, text }, ...rest]);
}

export function forgetCredential(publicKey: string): void {
  write(keptCredentials().filter((entry) => entry.publicKey !== publicKey));
}
