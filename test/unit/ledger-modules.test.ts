// The module list keeps its rules (issue 13, docs/modules.md): transaction types, key
// prefixes and reject codes are unique across modules; a module uses only modules listed
// before it, and reads them through their keepers; the kernel never imports a module.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_CODES } from '../../shared/ledger/errors.js';
import { REJECT_CODES, schema, STATE_PREFIXES, stateKeysOf, txRules } from '../../shared/ledger/index.js';
import { NODE_MODULES } from '../../electron/node/modules/index.js';
import { MODULES } from '../../shared/modules/index.js';

const root = resolve(import.meta.dirname, '../..');
const KERNEL_FILES = ['primitives', 'errors', 'overlay', 'digests', 'module', 'signers', 'protocol'].map(
  (name) => `shared/ledger/${name}.ts`,
);

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'";]*?from\s+'([^']+)'/gm)]
    .map((match) => match[1]!)
    .filter((target) => target.startsWith('.'))
    .map((target) => relative(root, resolve(dirname(join(root, file)), target)).replace(/\.js$/, '.ts'));
}

function filesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

describe('the module list', () => {
  it('names each transaction type once, and every type of the union has its rules', () => {
    const types = MODULES.flatMap((module) => module.txs.map((tx) => tx.type));
    expect(new Set(types).size).toBe(types.length);
    expect([...schema.TX_TYPES]).toEqual(types);
    for (const type of types) expect(typeof txRules(type).apply).toBe('function');
  });

  it('gives each state key prefix one owner, and no prefix hides inside another', () => {
    const prefixes = STATE_PREFIXES.map((owned) => owned.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const a of STATE_PREFIXES)
      for (const b of STATE_PREFIXES) {
        if (a === b || a.exact) continue;
        // An exact key or a family inside another family would make the owner ambiguous.
        expect(b.prefix.startsWith(a.prefix), `${b.prefix} (${b.module}) is inside ${a.prefix} (${a.module})`).toBe(
          false,
        );
      }
  });

  it('declares each reject code once, with what it means', () => {
    const tables = [KERNEL_CODES, ...MODULES.map((module) => module.codes)];
    const names = tables.flatMap((table) => Object.keys(table));
    const codes = tables.flatMap((table) => Object.values(table).map((spec) => spec.code));
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(codes).size).toBe(codes.length);
    for (const spec of Object.values(REJECT_CODES)) {
      expect(spec.code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(spec.meaning.length).toBeGreaterThan(10);
    }
  });

  it('lists the node side of the modules in the same order', () => {
    expect(NODE_MODULES.map((module) => module.name)).toEqual(MODULES.map((module) => module.name));
  });

  it('lets a module use only modules listed before it', () => {
    const seen = new Set<string>();
    for (const module of MODULES) {
      for (const used of module.uses) expect(seen.has(used), `${module.name} uses ${used}`).toBe(true);
      seen.add(module.name);
    }
  });

  it('reads another module only through its keeper or its types, and only a module it uses', () => {
    for (const module of MODULES) {
      for (const file of filesUnder(`shared/modules/${module.name}`)) {
        for (const target of importsOf(file)) {
          const other = /^shared\/modules\/([^/]+)\/(.+)\.ts$/.exec(target);
          if (!other || other[1] === module.name) continue;
          expect(module.uses, `${file} imports ${target}`).toContain(other[1]);
          expect(['keeper', 'types'], `${file} imports ${target}: use its keeper`).toContain(other[2]);
        }
      }
    }
  });

  it('keeps the kernel and the modules free of the assembled files (no import cycle)', () => {
    const assembled = /^shared\/(ledger\/(schema|types|state|tx|apply|genesis|reject-codes|index)|modules\/index)\.ts$/;
    for (const file of KERNEL_FILES) {
      for (const target of importsOf(file)) {
        expect(target.startsWith('shared/modules/'), `${file} imports ${target}`).toBe(false);
        expect(assembled.test(target), `${file} imports ${target}`).toBe(false);
      }
    }
    // A module's API routes (api.ts) are built on the API contract, which the assembly
    // feeds; no ledger file imports them (test/unit/import-cycles.test.ts holds the rest).
    const ledgerFiles = (name: string) =>
      filesUnder(`shared/modules/${name}`).filter((file) => !/\/api(-names)?\.ts$/.test(file));
    for (const module of MODULES)
      for (const file of ledgerFiles(module.name))
        for (const target of importsOf(file)) expect(assembled.test(target), `${file} imports ${target}`).toBe(false);
  });

  it('prefetches the keys the rules read: the kernel replay record and the signers’ standing', () => {
    const tx = {
      type: 'encumbrance.release' as const,
      chainId: 'test',
      expiresAtMs: 1,
      nonce: 0,
      signatures: [{ key: 'a'.repeat(64), signature: 'b'.repeat(128) }],
      payload: { objectId: 'BY-1', objectVersion: 1, encumbranceId: 'm-1' },
    };
    const keys = stateKeysOf(tx);
    expect(keys.some((key) => key.startsWith('tx/'))).toBe(true);
    expect(keys).toContain('obj/BY-1');
    expect(keys).toContain(`auth/${'a'.repeat(64)}`);
    expect(keys).toContain('cfg/validators');
  });
});
