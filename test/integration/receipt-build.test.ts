// Receipts are built from the stored block without parsing it again (electron/node/chain/
// block-spans.ts, tx-tree.ts): they must equal the receipts of the parsed block, for blocks of
// every shape, and every single change to a receipt or certificate must be refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, decode, encode, hexToBytes } from '../../shared/codec/index.js';
import { txHash, type Block, type Transaction } from '../../shared/ledger/index.js';
import { MerkleTree } from '../../shared/merkle/rfc6962.js';
import {
  verifyCertificate,
  verifyReceipt,
  type OwnershipCertificate,
  type Receipt,
} from '../../shared/receipt/index.js';
import { blockSpans, BlockSpanError } from '../../electron/node/chain/block-spans.js';
import { txTreeProof } from '../../electron/node/chain/tx-tree.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { devCommitBlock, devGenesis, devTransfers } from '../../electron/node/dev/demo-registry.js';

const genesis = devGenesis({ objects: 60, parties: 10 });
let dir: string;
let chain: Chain;
const blocks: Block[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-receipt-'));
  chain = await Chain.open({ dir, genesis });
  for (const count of [1, 2, 3, 5, 8, 13]) {
    const timeMs = chain.head.header.timeMs + 1_000;
    const txs = await devTransfers(chain, count, { objects: 60, parties: 10, seed: chain.head.height, nowMs: timeMs });
    blocks.push((await devCommitBlock(chain, txs, timeMs)).block);
  }
});
afterAll(async () => {
  await chain.close();
  await rm(dir, { recursive: true, force: true });
});

describe('receipt build', () => {
  it('gives, for every transaction of blocks of 1 to 13 txs, the receipt of the parsed block', async () => {
    for (const block of blocks) {
      const tree = new MerkleTree(block.txs.map((tx) => hexToBytes(txHash(tx))));
      for (const [index, tx] of block.txs.entries()) {
        const receipt = (await chain.receipt(txHash(tx)))!;
        expect(receipt.tx).toEqual(tx);
        expect(receipt.header).toEqual(block.header);
        expect(receipt.txProof).toEqual(tree.proof(index));
        expect(verifyReceipt(JSON.parse(JSON.stringify(receipt)))).toMatchObject({
          ok: true,
          height: block.header.height,
        });
      }
    }
  });

  it('finds each transaction as the exact bytes of its own encoding', async () => {
    for (const block of blocks) {
      const bytes = (await chain.store.getBlockBytes(block.header.height))!;
      const spans = blockSpans(bytes);
      expect(decode(bytes.subarray(spans.header.start, spans.header.end))).toEqual(block.header);
      expect(spans.txs.map(({ start, end }) => bytesToHex(bytes.subarray(start, end)))).toEqual(
        block.txs.map((tx) => bytesToHex(encode(tx))),
      );
    }
  });

  it('spans any canonically encoded array of transactions, and refuses truncated or trailing bytes', () => {
    const item = fc
      .jsonValue({ maxDepth: 4 })
      .filter((value) => !JSON.stringify(value).includes('-0') && value !== null);
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.dictionary(fc.string(), fc.integer()), (txs, header) => {
        const bytes = encode({ header, txs });
        const spans = blockSpans(bytes);
        expect(spans.txs.map(({ start, end }) => bytesToHex(bytes.subarray(start, end)))).toEqual(
          txs.map((tx) => bytesToHex(encode(tx))),
        );
        expect(() => blockSpans(bytes.subarray(0, bytes.length - 1))).toThrow(BlockSpanError);
        expect(() => blockSpans(Uint8Array.from([...bytes, 0]))).toThrow(BlockSpanError);
      }),
      { numRuns: 200 },
    );
  });

  it('builds the tx tree of the shared RFC 6962 code for every size and index', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => hexToBytes(i.toString(16).padStart(64, '0')));
      const tree = new MerkleTree(leaves);
      for (let index = 0; index < size; index++) {
        const { root, proof } = txTreeProof(leaves, index);
        expect(proof).toEqual(tree.proof(index));
        expect(hexToBytes(root)).toEqual(tree.root);
      }
    }
  });
});

/** Every document that differs from `document` in exactly one leaf, or lacks one array element. */
function* mutations(value: unknown, path: string[] = []): Generator<{ path: string; edit: (copy: unknown) => void }> {
  const at = (copy: unknown, keys: string[]) =>
    keys.reduce((node, key) => (node as Record<string, unknown>)[key], copy);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      yield { path: [...path, `-${i}`].join('.'), edit: (copy) => (at(copy, path) as unknown[]).splice(i, 1) };
      yield* mutations(value[i], [...path, String(i)]);
    }
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) yield* mutations(child, [...path, key]);
    return;
  }
  const parent = path.slice(0, -1);
  const key = path[path.length - 1]!;
  const set = (copy: unknown, next: unknown) => ((at(copy, parent) as Record<string, unknown>)[key] = next);
  if (typeof value === 'number') yield { path: path.join('.'), edit: (copy) => set(copy, value + 1) };
  if (typeof value === 'boolean') yield { path: path.join('.'), edit: (copy) => set(copy, !value) };
  if (typeof value === 'string') {
    // change the last character (hex stays hex), and append one
    const last = value.slice(-1);
    const other =
      last === '0' ? '1' : last === 'a' ? 'b' : /[0-9a-f]/.test(last) ? '0' : `${last}x`.slice(-1) === last ? 'y' : 'x';
    yield { path: path.join('.'), edit: (copy) => set(copy, value.slice(0, -1) + other) };
    yield { path: `${path.join('.')}+`, edit: (copy) => set(copy, `${value}0`) };
  }
}

describe('tampered receipts and certificates', () => {
  it('refuses every receipt that differs from a valid one in one value or one array element [REQ-RCT.1]', async () => {
    const block = blocks[4]!;
    const receipt = JSON.parse(JSON.stringify(await chain.receipt(txHash(block.txs[3] as Transaction)))) as Receipt;
    expect(verifyReceipt(receipt).ok).toBe(true);
    let count = 0;
    for (const { path, edit } of mutations(receipt)) {
      const copy = structuredClone(receipt);
      edit(copy);
      expect(verifyReceipt(copy).ok, `a receipt with ${path} changed verified`).toBe(false);
      count++;
    }
    expect(count).toBeGreaterThan(30);
  });

  it('refuses every certificate that differs from a valid one in one value or one array element [REQ-RCT.2]', async () => {
    const transfer = blocks[5]!.txs[0] as Extract<Transaction, { type: 'transfer' }>;
    const certificate = JSON.parse(
      JSON.stringify(await chain.certificate(transfer.payload.contract.objectId)),
    ) as OwnershipCertificate;
    expect(verifyCertificate(certificate).ok).toBe(true);
    let count = 0;
    for (const { path, edit } of mutations(certificate)) {
      const copy = structuredClone(certificate);
      edit(copy);
      expect(verifyCertificate(copy).ok, `a certificate with ${path} changed verified`).toBe(false);
      count++;
    }
    expect(count).toBeGreaterThan(30);
  });
});
