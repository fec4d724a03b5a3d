// The tables keyed by 32-byte hashes (the state-tree node cache's): they answer as a Map keyed
// by the hash's hex does, whatever the keys share (the same first bytes, the same slot), and
// two generations of them keep exactly what two generations of Maps keep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import { Generations } from '../../electron/node/chain/generations.js';
import { HashTable } from '../../electron/node/store/hash-table.js';

/** 32-byte keys drawn from few distinct ones, many sharing their first eight bytes (one slot's input). */
const hashArb = fc.tuple(fc.nat(3), fc.nat(40), fc.constantFrom(0, 7, 31)).map(([prefix, tail, at]) => {
  const hash = new Uint8Array(32).fill(prefix);
  hash[at] = tail; // at 0: differs in the slot's input; at 7 or 31: the same slot input, other keys
  return hash;
});

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), hash: hashArb, value: fc.nat(1_000) }),
  fc.record({ kind: fc.constant('get' as const), hash: hashArb }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

describe('a hash table', () => {
  it('answers as a Map of the hex keys, up to its bound, and refuses a key past it', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.array(opArb, { maxLength: 300 }), (entriesMax, ops) => {
        const table = new HashTable<number>(entriesMax);
        const model = new Map<string, number>();
        for (const op of ops) {
          if (op.kind === 'clear') {
            table.clear();
            model.clear();
          } else if (op.kind === 'set') {
            const key = bytesToHex(op.hash);
            const fits = model.has(key) || model.size < entriesMax;
            expect(table.set(op.hash, op.value)).toBe(fits);
            if (fits) model.set(key, op.value);
          } else {
            expect(table.get(op.hash)).toBe(model.get(bytesToHex(op.hash)));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [key, value] of model) expect(table.get(Uint8Array.from(Buffer.from(key, 'hex')))).toBe(value);
      }),
    );
  });

  it('holds a key by its bytes, not by the array it came in, and never a key of another length', () => {
    const table = new HashTable<string>(4);
    const hash = new Uint8Array(32).fill(9);
    table.set(hash, 'node');
    const copy = hash.slice();
    hash.fill(1); // the caller reuses its array
    expect(table.get(copy)).toBe('node');
    expect(table.get(hash)).toBeUndefined();
    const longer = new Uint8Array(33).fill(9);
    expect(table.get(longer)).toBeUndefined();
    expect(table.get(longer.subarray(0, 32))).toBe('node');
    expect(() => table.set(longer, 'x')).toThrow(RangeError);
    expect(() => table.set(copy, undefined as unknown as string)).toThrow(TypeError);
  });

  it('finds every key of a full table of random hashes', () => {
    const table = new HashTable<number>(50_000);
    const hashes = Array.from({ length: 50_000 }, (_, i) => {
      const hash = new Uint8Array(32);
      crypto.getRandomValues(hash);
      hash[31] = i & 0xff;
      return hash;
    });
    hashes.forEach((hash, i) => expect(table.set(hash, i)).toBe(true));
    expect(table.set(new Uint8Array(32).fill(0xee), -1)).toBe(false);
    expect(hashes.every((hash, i) => table.get(hash) === i)).toBe(true);
    expect(table.size).toBe(50_000);
  });
});

describe('two generations of hash tables', () => {
  it('keep and evict exactly what two generations of Maps keyed by the hex keep and evict', () => {
    fc.assert(
      fc.property(
        fc.nat(24),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('add' as const), hash: hashArb, value: fc.nat(1_000) }),
            fc.record({ kind: fc.constant('get' as const), hash: hashArb }),
          ),
          { maxLength: 300 },
        ),
        (entriesMax, ops) => {
          const tables = new Generations<number, Uint8Array>(entriesMax, (entries) => new HashTable<number>(entries));
          const model = new Generations<number>(entriesMax);
          for (const op of ops) {
            const key = bytesToHex(op.hash);
            if (op.kind === 'add') {
              tables.add(op.hash, op.value);
              model.add(key, op.value);
            } else {
              expect(tables.get(op.hash)).toBe(model.get(key));
            }
            expect(tables.size).toBe(model.size);
            expect(tables.size).toBeLessThanOrEqual(Math.max(2, entriesMax));
          }
        },
      ),
    );
  });
});
