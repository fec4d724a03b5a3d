// Where a passphrase comes from: the first line of a file (scripts, services) or a prompt on
// the terminal without echo. Never argv, which other users see in the process list.
import { readFile } from 'node:fs/promises';
import { checkPassphrase, PASSPHRASE_CHARS_MAX } from './keystore.js';
import { KeystoreError } from './errors.js';

const PASSPHRASE_FILE_BYTES_MAX = 64 * 1024;

export interface PassphraseSource {
  /** Path of a file whose first line is the passphrase. */
  file?: string;
  /** Ask twice and require the same answer (for a new keystore). */
  confirm?: boolean;
  prompt?: string;
}

export async function readPassphrase(source: PassphraseSource): Promise<string> {
  const passphrase = source.file !== undefined ? await fromFile(source.file) : await fromTerminal(source);
  checkPassphrase(passphrase);
  return passphrase;
}

async function fromFile(path: string): Promise<string> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > PASSPHRASE_FILE_BYTES_MAX)
      throw new KeystoreError('PASSPHRASE_INVALID', `The passphrase file ${path} is too large.`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof KeystoreError) throw error;
    throw new KeystoreError(
      'PASSPHRASE_INVALID',
      `Cannot read the passphrase file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      { cause: error },
    );
  }
  return text.split(/\r?\n/, 1)[0] ?? '';
}

async function fromTerminal(source: PassphraseSource): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new KeystoreError(
      'PASSPHRASE_INVALID',
      'No passphrase: give --passphrase-file FILE, or run the command in a terminal to be asked for it.',
    );
  }
  const first = await promptHidden(source.prompt ?? 'Passphrase: ');
  if (!source.confirm) return first;
  checkPassphrase(first);
  const second = await promptHidden('Repeat the passphrase: ');
  if (first !== second)
    throw new KeystoreError('PASSPHRASE_INVALID', 'The two passphrases differ; nothing was written.');
  return first;
}

/** Reads one line from the terminal in raw mode, echoing nothing. Ctrl-C aborts. */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  let typed = '';
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new KeystoreError('PASSPHRASE_INVALID', 'Cancelled.'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
        if (typed.length > PASSPHRASE_CHARS_MAX * 4)
          return finish(new KeystoreError('PASSPHRASE_INVALID', 'The passphrase is too long.'));
      }
    };
    input.on('data', onData);
  });
}
