// An election's export (docs/elections.md B.6, B.8): what `notary election verify` checks with
// shared/ code alone and no node. A file of frames, each a 4-byte big-endian length followed by
// that many bytes of canonical CBOR (shared/codec): first the header (the election's records at
// the export's height), then one frame per committed transaction of the election in chain
// order, then the trailer, which counts the entries so a cut file is refused, not half-checked.
// Frames keep a national export (millions of ballots) readable in bounded memory.
import { CodecError, decode, encode } from '../../codec/index.js';
import type { AnyTransaction } from '../../ledger/primitives.js';
import type { ElectionDefinition, ElectionStatus, RollRecord, TallyRecord } from './types.js';

export const EXPORT_FORMAT = 'notary-election-export/1';
/** A frame holds one transaction (at most 64 KiB) or the header: 1 MiB is ample and bounded. */
export const EXPORT_FRAME_BYTES_MAX = 1024 * 1024;
/** Entries in one export: every ballot and re-vote of a national roll, and then some. */
export const EXPORT_ENTRIES_MAX = 100_000_000;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  chainId: string;
  /** The head height the export was taken at; the records below are the state at it. */
  height: number;
  election: ElectionDefinition;
  status: ElectionStatus;
  roll: RollRecord;
  tally: TallyRecord;
}

/** One committed `election.*` transaction of this election, where and when it was committed. */
export interface ExportEntry {
  height: number;
  /** Its position in its block. */
  index: number;
  /** Its block's time (the rules' clock). */
  timeMs: number;
  tx: AnyTransaction;
}

export interface ExportTrailer {
  end: true;
  entries: number;
}

export class ExportFormatError extends Error {
  readonly code = 'EXPORT_MALFORMED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ExportFormatError';
  }
}

/** One frame: u32 big-endian length ‖ canonical CBOR of `value`. */
export function encodeFrame(value: ExportHeader | ExportEntry | ExportTrailer): Uint8Array {
  const body = encode(value);
  if (body.length > EXPORT_FRAME_BYTES_MAX)
    throw new ExportFormatError(`a frame of ${body.length} bytes is over the limit`);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/**
 * Splits a stream of bytes into decoded frames: push chunks as they are read, take the values
 * each push completes. Refuses an oversized or non-canonical frame with ExportFormatError;
 * `end()` refuses bytes left over (a cut file).
 */
export class FrameReader {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #frames = 0;

  get frames(): number {
    return this.#frames;
  }

  push(chunk: Uint8Array): unknown[] {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const values: unknown[] = [];
    for (;;) {
      if (this.#pendingBytes < 4) break;
      const head = this.#take(4, false);
      const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
      if (length === 0 || length > EXPORT_FRAME_BYTES_MAX)
        throw new ExportFormatError(`frame ${this.#frames} declares ${length} bytes (1 to ${EXPORT_FRAME_BYTES_MAX})`);
      if (this.#pendingBytes < 4 + length) break;
      this.#take(4, true);
      const body = this.#take(length, true);
      try {
        values.push(decode(body, EXPORT_FRAME_BYTES_MAX));
      } catch (error) {
        if (error instanceof CodecError) throw new ExportFormatError(`frame ${this.#frames}: ${error.message}`);
        throw error;
      }
      this.#frames++;
    }
    return values;
  }

  end(): void {
    if (this.#pendingBytes > 0)
      throw new ExportFormatError(`the file ends inside frame ${this.#frames} (${this.#pendingBytes} bytes left over)`);
  }

  #take(count: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(count);
    let offset = 0;
    let index = 0;
    while (offset < count) {
      const part = this.#pending[index]!;
      const used = Math.min(part.length, count - offset);
      out.set(part.subarray(0, used), offset);
      offset += used;
      if (consume) {
        if (used === part.length) this.#pending.shift();
        else this.#pending[0] = part.subarray(used);
      } else index++;
    }
    if (consume) this.#pendingBytes -= count;
    return out;
  }
}
