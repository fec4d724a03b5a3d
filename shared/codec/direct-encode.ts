// A direct writer of deterministic CBOR for the values the protocol hashes, signs and sends
// (issue 15: encoding was the largest cost left after the signatures, in the nodes' profiles
// and in a browser's receipt check, whose pauses are its collector's).
//
// It writes exactly the bytes @ipld/dag-cbor writes, for the subset of values it knows:
// null, booleans, safe integers (not -0), strings that are well-formed Unicode, Uint8Arrays, arrays, and
// plain objects whose keys are ASCII (the protocol's are). Map keys are sorted as dag-cbor's
// deterministic order sorts them: shorter first, then bytewise (RFC 8949 §4.2.3, "length-first").
// For anything else (floats, bigints, undefined, Maps, CIDs, class instances, lone surrogates, non-ASCII keys,
// a depth over DEPTH_MAX) it returns undefined and the caller encodes with dag-cbor, which then
// decides, so every value has one encoding and the same refusals as before.
// test/unit/codec-direct.test.ts holds the two equal on random values and on protocol objects.

/** Deeper values go to dag-cbor (ours are a few levels deep). */
const DEPTH_MAX = 64;
/** The scratch buffer is kept up to this size between calls; a larger one is let go. */
const SCRATCH_KEEP_BYTES = 1 << 20;

/** A surrogate without its pair: not Unicode text, so it has no UTF-8 form. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NON_ASCII = /[^\x00-\x7f]/;
const textEncoder = new TextEncoder();

/** Raised inside the writer for a value it leaves to dag-cbor; never escapes. */
const UNSUPPORTED = Symbol('unsupported');

let scratch = new Uint8Array(8192);
let position = 0;
let busy = false;

/** The value's deterministic CBOR, or undefined when it is not in the subset this writer knows. */
export function encodeDirect(value: unknown): Uint8Array | undefined {
  // Never re-entered (it calls no code of the value's), but a getter could try: let dag-cbor do it.
  if (busy) return undefined;
  busy = true;
  position = 0;
  try {
    write(value, 0);
    return scratch.slice(0, position);
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  } finally {
    busy = false;
    if (scratch.length > SCRATCH_KEEP_BYTES) scratch = new Uint8Array(8192);
  }
}

function reserve(bytes: number): void {
  if (position + bytes <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < position + bytes) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(scratch.subarray(0, position));
  scratch = grown;
}

/** A major type with its argument in the shortest form (RFC 8949 §3.1, §4.2.1). */
function head(major: number, argument: number): void {
  reserve(9);
  const type = major << 5;
  if (argument < 24) {
    scratch[position++] = type | argument;
  } else if (argument < 0x100) {
    scratch[position++] = type | 24;
    scratch[position++] = argument;
  } else if (argument < 0x10000) {
    scratch[position++] = type | 25;
    scratch[position++] = argument >>> 8;
    scratch[position++] = argument & 0xff;
  } else if (argument < 0x100000000) {
    scratch[position++] = type | 26;
    scratch[position++] = argument >>> 24;
    scratch[position++] = (argument >>> 16) & 0xff;
    scratch[position++] = (argument >>> 8) & 0xff;
    scratch[position++] = argument & 0xff;
  } else {
    const high = Math.floor(argument / 0x100000000);
    const low = argument >>> 0;
    scratch[position++] = type | 27;
    scratch[position++] = high >>> 24;
    scratch[position++] = (high >>> 16) & 0xff;
    scratch[position++] = (high >>> 8) & 0xff;
    scratch[position++] = high & 0xff;
    scratch[position++] = low >>> 24;
    scratch[position++] = (low >>> 16) & 0xff;
    scratch[position++] = (low >>> 8) & 0xff;
    scratch[position++] = low & 0xff;
  }
}

function writeString(text: string): void {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    head(3, text.length);
    reserve(text.length);
    for (let i = 0; i < text.length; i++) scratch[position++] = text.charCodeAt(i);
    return;
  }
  // A lone surrogate has no UTF-8 form; how it is replaced is dag-cbor's to decide.
  if (LONE_SURROGATE.test(text)) throw UNSUPPORTED;
  const bytes = textEncoder.encode(text);
  head(3, bytes.length);
  reserve(bytes.length);
  scratch.set(bytes, position);
  position += bytes.length;
}

function byLengthThenBytes(a: string, b: string): number {
  // ASCII keys: one byte a character, so UTF-16 order is byte order.
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** In place; an insertion sort for the few keys of a protocol object (Array.sort allocates). */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort(byLengthThenBytes);
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && byLengthThenBytes(keys[j]!, key) > 0) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}

function write(value: unknown, depth: number): void {
  if (value === null) {
    reserve(1);
    scratch[position++] = 0xf6;
    return;
  }
  switch (typeof value) {
    case 'boolean':
      reserve(1);
      scratch[position++] = value ? 0xf5 : 0xf4;
      return;
    case 'number':
      if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw UNSUPPORTED;
      if (value >= 0) head(0, value);
      else head(1, -1 - value);
      return;
    case 'string':
      writeString(value);
      return;
    case 'object':
      break;
    default:
      throw UNSUPPORTED;
  }
  if (depth >= DEPTH_MAX) throw UNSUPPORTED;
  if (Array.isArray(value)) {
    head(4, value.length);
    for (let i = 0; i < value.length; i++) write(value[i], depth + 1);
    return;
  }
  if (value instanceof Uint8Array) {
    head(2, value.length);
    reserve(value.length);
    scratch.set(value, position);
    position += value.length;
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw UNSUPPORTED;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys) {
    // dag-cbor looks at these two to find CIDs: leave such objects to it.
    if (key === '/' || key === 'asCID' || NON_ASCII.test(key)) throw UNSUPPORTED;
  }
  sortKeys(keys);
  head(5, keys.length);
  for (const key of keys) {
    writeString(key);
    write(record[key], depth + 1);
  }
}
