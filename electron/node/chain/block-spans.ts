// Where each transaction lies inside a stored block's canonical CBOR, without decoding it.
// A receipt needs every tx hash of its block (the tx Merkle tree) but only one transaction:
// canonical CBOR is compositional, so the bytes of block.txs[i] inside encode(block) are
// exactly encode(block.txs[i]) and hashing them gives txHash without a decode and re-encode
// of the other 499 (issue #6: a receipt's build went from ~40 ms to a few).
//
// Only definite-length items (all that canonical dag-cbor has) are accepted; anything else,
// or an item running past the end, throws: the caller treats it as a corrupt store.

export class BlockSpanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockSpanError';
  }
}

/** Nesting deeper than any block (a transaction's payload is a few levels). */
const DEPTH_MAX = 64;

export interface Span {
  start: number;
  end: number;
}

export interface BlockSpans {
  header: Span;
  txs: Span[];
}

interface Head {
  major: number;
  /** Length, count or value of the head's argument. */
  argument: number;
  /** Offset just after the head. */
  next: number;
}

function readHead(bytes: Uint8Array, offset: number): Head {
  if (offset >= bytes.length) throw new BlockSpanError(`a CBOR item starts past the end (offset ${offset})`);
  const first = bytes[offset]!;
  const major = first >> 5;
  const info = first & 0x1f;
  if (info < 24) return { major, argument: info, next: offset + 1 };
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (size === 0)
    throw new BlockSpanError(`CBOR additional information ${info} at offset ${offset} is not definite-length`);
  if (offset + 1 + size > bytes.length) throw new BlockSpanError(`a CBOR head runs past the end (offset ${offset})`);
  let argument = 0;
  for (let i = 1; i <= size; i++) argument = argument * 256 + bytes[offset + i]!;
  return { major, argument, next: offset + 1 + size };
}

/** Offset just after the item starting at `offset`. */
export function cborItemEnd(bytes: Uint8Array, offset: number, depth = 0): number {
  if (depth > DEPTH_MAX) throw new BlockSpanError(`CBOR nested deeper than ${DEPTH_MAX}`);
  // Called for every item of a block (tens of thousands): the head is read inline, no objects.
  if (offset >= bytes.length) throw new BlockSpanError(`a CBOR item starts past the end (offset ${offset})`);
  const first = bytes[offset]!;
  const major = first >> 5;
  const info = first & 0x1f;
  let argument = info;
  let end = offset + 1;
  if (info >= 24) {
    const head = readHead(bytes, offset);
    argument = head.argument;
    end = head.next;
  }
  switch (major) {
    case 0: // unsigned integer
    case 1: // negative integer
    case 7: // simple value or float: the argument bytes are the value
      break;
    case 2: // byte string
    case 3: // text string
      end += argument;
      break;
    case 4: // array
      for (let i = 0; i < argument; i++) end = cborItemEnd(bytes, end, depth + 1);
      break;
    case 5: // map
      for (let i = 0; i < 2 * argument; i++) end = cborItemEnd(bytes, end, depth + 1);
      break;
    default: // 6: tag (dag-cbor's CID links): one tagged item
      end = cborItemEnd(bytes, end, depth + 1);
  }
  if (end > bytes.length) throw new BlockSpanError(`a CBOR item runs past the end (offset ${offset})`);
  return end;
}

function readText(bytes: Uint8Array, offset: number): { text: string; next: number } {
  const head = readHead(bytes, offset);
  if (head.major !== 3) throw new BlockSpanError(`a block's map key at offset ${offset} is not a text string`);
  const next = head.next + head.argument;
  if (next > bytes.length) throw new BlockSpanError('a map key runs past the end');
  return { text: new TextDecoder().decode(bytes.subarray(head.next, next)), next };
}

/** The header's and each transaction's byte span in `encode(block)`; the whole input must be the block. */
export function blockSpans(bytes: Uint8Array): BlockSpans {
  const map = readHead(bytes, 0);
  if (map.major !== 5 || map.argument !== 2) throw new BlockSpanError('a block is a CBOR map of header and txs');
  let offset = map.next;
  let header: Span | undefined;
  let txs: Span[] | undefined;
  for (let entry = 0; entry < 2; entry++) {
    const key = readText(bytes, offset);
    offset = key.next;
    if (key.text === 'header') {
      header = { start: offset, end: cborItemEnd(bytes, offset) };
      offset = header.end;
    } else if (key.text === 'txs') {
      const array = readHead(bytes, offset);
      if (array.major !== 4) throw new BlockSpanError("a block's txs is not an array");
      offset = array.next;
      txs = [];
      for (let i = 0; i < array.argument; i++) {
        const end = cborItemEnd(bytes, offset);
        txs.push({ start: offset, end });
        offset = end;
      }
    } else {
      throw new BlockSpanError(`a block has an unknown field ${JSON.stringify(key.text.slice(0, 32))}`);
    }
  }
  if (!header || !txs) throw new BlockSpanError('a block lacks its header or its txs');
  if (offset !== bytes.length) throw new BlockSpanError(`${bytes.length - offset} bytes follow the block`);
  return { header, txs };
}
