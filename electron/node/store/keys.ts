// The store's one key table (Lodestar habit: every LevelDB key of the node is listed here,
// and docs/store.md carries the same table). Keys and values are raw bytes
// (`keyEncoding: 'view'`, `valueEncoding: 'view'`). Each key starts with one ASCII
// prefix byte naming its namespace; heights are 8-byte big-endian and tx indexes 4-byte
// big-endian, so LevelDB's byte order is height order.
//
//   prefix  key                                              -> value
//   'm'     'm' "schemaVersion"                              -> CBOR uint (STORE_SCHEMA_VERSION)
//   'm'     'm' "chainId"                                    -> CBOR text
//   'm'     'm' "head"                                       -> CBOR { head: {height, blockHash,
//                                                               stateRoot, blockBytesHash},
//                                                               checksum: sha256 hex of CBOR(head) }
//   'm'     'm' "genesisDigest"                              -> CBOR text: digest of the genesis
//                                                               document the store was created from
//   'm'     'm' "snapshotBase"                               -> CBOR {height, blockHash, stateRoot}:
//                                                               the store began from a state snapshot
//                                                               at that height (no blocks 1..height-1)
//   'b'     'b' height:u64be                                 -> block bytes (canonical CBOR, opaque)
//   'c'     'c' height:u64be                                 -> commit certificate bytes (opaque)
//   'h'     'h' blockHash:32                                 -> height:u64be
//   's'     's' utf8(stateKey)                               -> state value bytes (opaque)
//   'n'     'n' nodeHash:32                                  -> authenticated-map (SMT) node bytes
//   't'     't' txHash:32                                    -> height:u64be index:u32be
//   'o'     'o' utf8(objectId) 0x00 height:u64be index:u32be -> txHash:32
//   'p'     'p' utf8(party) 0x00 utf8(objectId)              -> 0x01
//
// Retired prefixes (never reuse one; old stores may still hold its rows): none yet.
//
// Object ids and parties never contain 0x00, so 0x00 ends the id and a prefix scan over
// `'o' id 0x00` sees exactly that object's rows, never those of an id it is a prefix of.
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../../shared/codec/index.js';

export const Prefix = {
  meta: 0x6d, // 'm'
  block: 0x62, // 'b'
  commit: 0x63, // 'c'
  heightByHash: 0x68, // 'h'
  state: 0x73, // 's'
  smtNode: 0x6e, // 'n'
  txLocation: 0x74, // 't'
  objectHistory: 0x6f, // 'o'
  partyObject: 0x70, // 'p'
} as const;

/** Prefixes once used and since retired. Listed so they are never reused. */
export const RETIRED_PREFIXES: readonly number[] = [];

export const HEIGHT_BYTES = 8;
export const TX_INDEX_BYTES = 4;
export const HASH_BYTES = 32;
export const TX_INDEX_MAX = 0xffff_ffff;
/** Longest state key, object id or party, in UTF-8 bytes. */
export const NAME_BYTES_MAX = 512;
const SEPARATOR = 0x00;
const SEPARATOR_CHAR = String.fromCharCode(SEPARATOR);
/** The value of a party -> object row: its presence is the information. */
export const PRESENT_MARKER = Uint8Array.of(0x01);

const HEX_64 = /^[0-9a-f]{64}$/;
export function isHash64(value: unknown): value is string {
  return typeof value === 'string' && HEX_64.test(value);
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });
/** Decodes UTF-8 strictly: a store key that is not valid UTF-8 was not written by us. */
export function decodeUtf8(bytes: Uint8Array): string {
  return fatalDecoder.decode(bytes);
}

/** A name that round-trips through UTF-8 unchanged (no lone surrogates), bounded, non-empty. */
export function isStoreName(value: unknown, allowSeparator: boolean): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  // Well formed (no lone surrogate) is what round-trips through UTF-8. Only NUL encodes to a 0x00
  // byte. A UTF-16 unit is at most 3 UTF-8 bytes, so a short name needs no encoding to be
  // measured. (A commit checks ~1,500 names a block; test/unit/store-keys.test.ts holds the
  // encode-and-decode check this replaced, and compares the two.)
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) return false;
  if (!allowSeparator && value.includes(SEPARATOR_CHAR)) return false;
  return value.length * 3 <= NAME_BYTES_MAX || utf8(value).length <= NAME_BYTES_MAX;
}

export function encodeHeight(height: number): Uint8Array {
  if (!Number.isSafeInteger(height) || height < 0)
    throw new RangeError(`height ${height} is not a non-negative safe integer`);
  const out = new Uint8Array(HEIGHT_BYTES);
  new DataView(out.buffer).setBigUint64(0, BigInt(height));
  return out;
}

/** Returns undefined unless `bytes` is exactly one height within the safe-integer range. */
export function decodeHeight(bytes: Uint8Array): number | undefined {
  if (bytes.length !== HEIGHT_BYTES) return undefined;
  const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

export function encodeTxIndex(index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index > TX_INDEX_MAX)
    throw new RangeError(`tx index ${index} out of range`);
  const out = new Uint8Array(TX_INDEX_BYTES);
  new DataView(out.buffer).setUint32(0, index);
  return out;
}

export function decodeTxIndex(bytes: Uint8Array): number {
  if (bytes.length !== TX_INDEX_BYTES) throw new RangeError('a tx index is 4 bytes');
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
}

function withPrefix(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes(Uint8Array.of(prefix), ...parts);
}

/**
 * A key of a prefix and a hash given as 64 lowercase hex characters. The conversion is the check
 * (a block's commit makes one for each of its ~8,000 tree nodes; a regular expression before it
 * read each string again).
 */
function hashKey(prefix: number, hashHex: string): Uint8Array {
  const hash = hashBytes(hashHex);
  if (hash === undefined) throw notHash64();
  const key = new Uint8Array(1 + HASH_BYTES);
  key[0] = prefix;
  key.set(hash, 1);
  return key;
}

/** A hash's 32 bytes from its 64 lowercase hex characters; undefined for anything else. */
export function hashBytes(hashHex: unknown): Uint8Array | undefined {
  if (typeof hashHex !== 'string' || hashHex.length !== 2 * HASH_BYTES) return undefined;
  try {
    return hexToBytes(hashHex);
  } catch {
    return undefined;
  }
}

const notHash64 = () => new TypeError('a hash is 64 lowercase hex characters');

export const MetaName = {
  schemaVersion: 'schemaVersion',
  chainId: 'chainId',
  head: 'head',
  genesisDigest: 'genesisDigest',
  snapshotBase: 'snapshotBase',
} as const;
export type MetaName = (typeof MetaName)[keyof typeof MetaName];

export const Keys = {
  meta: (name: MetaName): Uint8Array => withPrefix(Prefix.meta, utf8(name)),
  block: (height: number): Uint8Array => withPrefix(Prefix.block, encodeHeight(height)),
  commit: (height: number): Uint8Array => withPrefix(Prefix.commit, encodeHeight(height)),
  heightByHash: (blockHash: string): Uint8Array => hashKey(Prefix.heightByHash, blockHash),
  state: (stateKey: string): Uint8Array => withPrefix(Prefix.state, utf8(stateKey)),
  smtNode: (nodeHash: string): Uint8Array => hashKey(Prefix.smtNode, nodeHash),
  /** The same key from the node's 32 raw hash bytes (bulk import: no hex round trip). */
  smtNodeRaw: (nodeHash: Uint8Array): Uint8Array => {
    if (nodeHash.length !== HASH_BYTES) throw new TypeError('a node hash is 32 bytes');
    return withPrefix(Prefix.smtNode, nodeHash);
  },
  txLocation: (txHash: string): Uint8Array => hashKey(Prefix.txLocation, txHash),
  objectHistory: (objectId: string, height: number, index: number): Uint8Array =>
    withPrefix(
      Prefix.objectHistory,
      utf8(objectId),
      Uint8Array.of(SEPARATOR),
      encodeHeight(height),
      encodeTxIndex(index),
    ),
  partyObject: (party: string, objectId: string): Uint8Array =>
    withPrefix(Prefix.partyObject, utf8(party), Uint8Array.of(SEPARATOR), utf8(objectId)),
} as const;

/** A LevelDB range `[gte, lt)` covering every key that starts with the given bytes. */
export interface KeyRange {
  gte: Uint8Array;
  lt: Uint8Array;
}

/** The range of all keys starting with `start`: the upper bound is `start` + 1 in its last byte below 0xff. */
export function prefixRange(start: Uint8Array): KeyRange {
  if (start.length === 0) throw new RangeError('a prefix range needs at least one byte');
  const upper = Uint8Array.from(start);
  for (let i = upper.length - 1; i >= 0; i--) {
    if ((upper[i] as number) < 0xff) {
      upper[i] = (upper[i] as number) + 1;
      return { gte: start, lt: upper.subarray(0, i + 1) };
    }
  }
  // Every key byte is 0xff only if the namespace prefix itself were 0xff, which none is.
  throw new RangeError('no upper bound for an all-0xff prefix');
}

export const Ranges = {
  namespace: (prefix: number): KeyRange => prefixRange(Uint8Array.of(prefix)),
  state: (statePrefix: string): KeyRange => prefixRange(withPrefix(Prefix.state, utf8(statePrefix))),
  objectHistory: (objectId: string): KeyRange =>
    prefixRange(withPrefix(Prefix.objectHistory, utf8(objectId), Uint8Array.of(SEPARATOR))),
  partyObjects: (party: string): KeyRange =>
    prefixRange(withPrefix(Prefix.partyObject, utf8(party), Uint8Array.of(SEPARATOR))),
} as const;

/** The tail of an object-history key after `'o' id 0x00`: (height, index). Undefined if malformed. */
export function parseObjectHistoryTail(
  key: Uint8Array,
  objectId: string,
): { height: number; index: number } | undefined {
  const headBytes = 1 + utf8(objectId).length + 1;
  if (key.length !== headBytes + HEIGHT_BYTES + TX_INDEX_BYTES) return undefined;
  const height = decodeHeight(key.subarray(headBytes, headBytes + HEIGHT_BYTES));
  if (height === undefined) return undefined;
  return { height, index: decodeTxIndex(key.subarray(headBytes + HEIGHT_BYTES)) };
}

/** The object id at the end of a party -> object key. Throws if it is not UTF-8. */
export function parsePartyObjectTail(key: Uint8Array, party: string): string {
  return decodeUtf8(key.subarray(1 + utf8(party).length + 1));
}

/** The state key inside a `'s' utf8(stateKey)` key. Throws if it is not UTF-8. */
export function parseStateKey(key: Uint8Array): string {
  return decodeUtf8(key.subarray(1));
}

export function hashHexOf(bytes: Uint8Array): string | undefined {
  return bytes.length === HASH_BYTES ? bytesToHex(bytes) : undefined;
}

/** The row kinds of the key table, as damage messages name them. */
export type RowKind =
  | 'meta'
  | 'block'
  | 'commit'
  | 'block-hash'
  | 'state'
  | 'state-node'
  | 'tx-location'
  | 'object-history'
  | 'party-object'
  | 'unknown';

/** A row as an operator reads it: its kind and its key (a height, a hash, a state key, id and place). */
export interface RowName {
  kind: RowKind;
  key: string;
}

const lenientUtf8 = new TextDecoder('utf-8');

/** Names the row of a raw store key (damaged keys included: never throws). */
export function rowOf(key: Uint8Array): RowName {
  const body = key.subarray(1);
  const separator = body.indexOf(SEPARATOR);
  const heightOf = (bytes: Uint8Array) =>
    bytes.length === HEIGHT_BYTES ? String(decodeHeight(bytes) ?? bytesToHex(bytes)) : bytesToHex(bytes);
  switch (key[0]) {
    case Prefix.meta:
      return { kind: 'meta', key: lenientUtf8.decode(body) };
    case Prefix.block:
      return { kind: 'block', key: heightOf(body) };
    case Prefix.commit:
      return { kind: 'commit', key: heightOf(body) };
    case Prefix.heightByHash:
      return { kind: 'block-hash', key: bytesToHex(body) };
    case Prefix.state:
      return { kind: 'state', key: lenientUtf8.decode(body) };
    case Prefix.smtNode:
      return { kind: 'state-node', key: bytesToHex(body) };
    case Prefix.txLocation:
      return { kind: 'tx-location', key: bytesToHex(body) };
    case Prefix.objectHistory: {
      if (separator < 0) return { kind: 'object-history', key: lenientUtf8.decode(body) };
      const tail = body.subarray(separator + 1);
      const place =
        tail.length === HEIGHT_BYTES + TX_INDEX_BYTES
          ? ` at height ${heightOf(tail.subarray(0, HEIGHT_BYTES))}, index ${decodeTxIndex(tail.subarray(HEIGHT_BYTES))}`
          : '';
      return { kind: 'object-history', key: `${lenientUtf8.decode(body.subarray(0, separator))}${place}` };
    }
    case Prefix.partyObject:
      if (separator < 0) return { kind: 'party-object', key: lenientUtf8.decode(body) };
      return {
        kind: 'party-object',
        key: `${lenientUtf8.decode(body.subarray(0, separator))} holding ${lenientUtf8.decode(body.subarray(separator + 1))}`,
      };
    default:
      return { kind: 'unknown', key: bytesToHex(key) };
  }
}

/** "row state-node 3fa2…" */
export function describeRow(row: RowName): string {
  return `row ${row.kind} ${row.key}`;
}
