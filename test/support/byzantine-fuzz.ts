// Mutations of valid network messages for the fuzz tests and the byzantine node: byte-level
// damage (flip, truncate, insert, splice) and structural damage (a field replaced, deleted or
// added, then re-encoded as canonical CBOR so the decoder's schema, not the codec, must refuse).
import fc from 'fast-check';
import { decode, encode } from '../../shared/codec/index.js';

type Path = Array<string | number>;

/** Values a hostile peer may put anywhere: wrong types, edge numbers, near-valid hex, bytes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1,
    2 ** 31,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER,
    1.5,
    '',
    'a',
    '0x10',
    '1e3',
  ),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^[0-9a-f]{128}$/),
  fc.stringMatching(/^[0-9A-F]{64}$/),
  fc.uint8Array({ maxLength: 64 }),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)), {
    maxKeys: 3,
  }),
);

function pathsOf(value: unknown, path: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(path);
  if (depth > 12 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out, depth + 1));
  else for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out, depth + 1);
  return out;
}

function clone(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(clone);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])); // fromEntries defines own keys, __proto__ included
}

export type StructuralOp = {
  kind: 'replace' | 'delete' | 'add' | 'duplicate';
  pick: number;
  value: unknown;
  key: string;
};

/** Applies one structural change at the `pick`-th path of a value (a copy; the root may be replaced). */
export function mutateValue(value: unknown, op: StructuralOp): unknown {
  const root = { v: clone(value) } as Record<string, unknown>;
  const paths = pathsOf(root.v).map((p) => ['v', ...p] as Path);
  const path = paths[op.pick % paths.length]!;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root); // eslint-disable-line @typescript-eslint/no-explicit-any
  const last = path[path.length - 1]!;
  const target = parent[last];
  switch (op.kind) {
    case 'replace':
      parent[last] = op.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'add':
      if (Array.isArray(target)) target.push(op.value);
      else if (target !== null && typeof target === 'object' && !(target instanceof Uint8Array))
        Object.defineProperty(target, op.key, {
          value: op.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else parent[last] = [target, op.value];
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(last as number, 0, clone(target));
      else parent[last] = [target, clone(target)];
      break;
  }
  return root.v;
}

export const structuralOp: fc.Arbitrary<StructuralOp> = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'delete', 'add', 'duplicate'),
  pick: fc.nat(),
  value: hostileValue,
  key: fc.oneof(
    fc.constantFrom('type', 'kind', 'height', 'signature', '__proto__', 'constructor'),
    fc.string({ maxLength: 6 }),
  ),
}) as fc.Arbitrary<StructuralOp>;

export type ByteOp =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x1b, 0x5b, 0x9f, 0xbf, 0xf6, 0xf7, 0xfa, 0xfb),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 9 }) }),
);

export function applyByteOps(bytes: Uint8Array, ops: ByteOp[]): Uint8Array {
  let out = new Uint8Array(bytes); // a copy: .slice() of a Node Buffer (what the codec returns) is a view
  for (const op of ops) {
    const at = out.length === 0 ? 0 : op.at % out.length;
    switch (op.kind) {
      case 'flip':
        if (out.length > 0) out[at]! ^= 1 << op.bit;
        break;
      case 'set':
        if (out.length > 0) out[at] = op.byte;
        break;
      case 'truncate':
        out = out.subarray(0, at);
        break;
      case 'insert': {
        const next = new Uint8Array(out.length + op.bytes.length);
        next.set(out.subarray(0, at));
        next.set(op.bytes, at);
        next.set(out.subarray(at), at + op.bytes.length);
        out = next;
        break;
      }
      case 'delete': {
        const length = Math.min(op.length, out.length - at);
        const next = new Uint8Array(out.length - length);
        next.set(out.subarray(0, at));
        next.set(out.subarray(at + length), at);
        out = next;
        break;
      }
    }
  }
  return out;
}

/**
 * Network inputs derived from `seeds` (valid encodings): a valid message with byte damage, a
 * valid message with structural damage re-encoded canonically, random bytes, or random CBOR.
 */
export function networkInput(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const seed = fc.nat().map((i) => seeds[i % seeds.length]!);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(seed, fc.array(byteOp, { minLength: 1, maxLength: 4 }))
        .map(([bytes, ops]) => applyByteOps(bytes, ops)),
    },
    {
      weight: 5,
      arbitrary: fc.tuple(seed, fc.array(structuralOp, { minLength: 1, maxLength: 3 })).map(([bytes, ops]) => {
        let value: unknown;
        try {
          value = decode(bytes);
        } catch (error) {
          throw new Error(`seed ${Buffer.from(bytes).toString('hex')} (${bytes.length}): ${String(error)}`);
        }
        for (const op of ops) value = mutateValue(value, op);
        try {
          return encode(value);
        } catch {
          return bytes.subarray(0, bytes.length - 1); // not encodable (undefined, NaN): a truncation instead
        }
      }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 1, arbitrary: hostileValue.map((value) => encode(value)) },
  );
}

/**
 * A change that keeps the shape: one leaf replaced by another value of its kind (a hash by
 * another hash, a number by an edge number), so the message still decodes and the checks
 * behind the decoder (signatures, links, re-execution, consensus rules) must refuse it.
 */
export type LeafOp = { pick: number; hex: string; int: number; text: string };

export const leafOp: fc.Arbitrary<LeafOp> = fc.record({
  pick: fc.nat(),
  hex: fc.stringMatching(/^[0-9a-f]{128}$/),
  int: fc.oneof(fc.constantFrom(0, 1, 2, 3, -1, 1_000_000, Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: 10 })),
  text: fc.string({ minLength: 1, maxLength: 12 }),
});

export function mutateLeaf(value: unknown, op: LeafOp): unknown {
  const root = { v: clone(value) } as Record<string, unknown>;
  const leaves = pathsOf(root.v)
    .map((p) => ['v', ...p] as Path)
    .filter((p) => {
      const leaf = p.reduce<any>((node, key) => node[key], root); // eslint-disable-line @typescript-eslint/no-explicit-any
      return leaf === null || typeof leaf !== 'object';
    });
  if (leaves.length === 0) return root.v;
  const path = leaves[op.pick % leaves.length]!;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], root); // eslint-disable-line @typescript-eslint/no-explicit-any
  const last = path[path.length - 1]!;
  const leaf = parent[last];
  if (typeof leaf === 'number') parent[last] = leaf === op.int ? leaf + 1 : op.int;
  else if (typeof leaf === 'string' && /^[0-9a-f]+$/.test(leaf) && leaf.length % 2 === 0)
    parent[last] = op.hex.slice(0, leaf.length);
  else if (typeof leaf === 'string') parent[last] = op.text;
  else if (typeof leaf === 'boolean') parent[last] = !leaf;
  else parent[last] = op.hex.slice(0, 64);
  return root.v;
}
