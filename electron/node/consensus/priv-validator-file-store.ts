// The PrivValidator's state on disk: one small JSON file in the data directory, replaced
// atomically (write a temporary file, fsync it, rename it over the old one, fsync the
// directory), so a crash leaves either the old state or the new one, never a torn file.
// A file that does not parse is refused with a sentence an operator can act on: signing
// from a forgotten state is how a validator double-signs. Byte strings (a locked block's
// ballots, decision #56) are written as {"$bytes": "<lowercase hex>"}: JSON has no bytes, and a
// plain JSON.stringify wrote a ballot as an object of numbered keys, which the next start could
// not read back, so a validator killed while locked on a block of ballots refused to start (the
// election-day soak found it, decision #61).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../../shared/codec/index.js';
import { writeFileDurably } from '../store/durable-file.js';
import { privValidatorStateSchema, type PrivValidatorState, type PrivValidatorStore } from './priv-validator-state.js';

export const PRIV_VALIDATOR_STATE_FILE = 'priv-validator-state.json';

export class PrivValidatorStateError extends Error {
  readonly code = 'PRIV_VALIDATOR_STATE_CORRUPT' as const;
  constructor(path: string, what: string, options?: { cause?: unknown }) {
    super(
      `The validator signing state at ${path} is unreadable (${what}). The node refuses to sign: a validator that ` +
        'forgets what it signed can sign twice. Restore the file from a backup, or, only if this key never signed on ' +
        'this chain, remove it.',
      options,
    );
    this.name = 'PrivValidatorStateError';
  }
}

export class FilePrivValidatorStore implements PrivValidatorStore {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, PRIV_VALIDATOR_STATE_FILE);
  }

  describe(): string {
    return this.path;
  }

  async load(): Promise<PrivValidatorState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text, fromJsonBytes);
    } catch (error) {
      throw new PrivValidatorStateError(this.path, 'it is not JSON', { cause: error });
    }
    const parsed = privValidatorStateSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PrivValidatorStateError(this.path, `${issue?.path.join('.') || 'the file'}: ${issue?.message}`);
    }
    return parsed.data;
  }

  async save(state: PrivValidatorState): Promise<void> {
    const checked = privValidatorStateSchema.parse(state);
    await mkdir(this.dir, { recursive: true });
    await writeFileDurably(this.path, `${JSON.stringify(checked, toJsonBytes, 2)}\n`, 0o600);
  }
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/** JSON.stringify's replacer: a byte string as {"$bytes": hex}. */
export function toJsonBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $bytes: bytesToHex(value) } : value;
}

/** JSON.parse's reviver: {"$bytes": hex} (and nothing else in that object) back to bytes. */
export function fromJsonBytes(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const hex = (value as { $bytes?: unknown }).$bytes;
  return keys.length === 1 && typeof hex === 'string' && HEX.test(hex) ? hexToBytes(hex) : value;
}
