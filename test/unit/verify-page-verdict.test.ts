// The verification page's pure pieces (renderer/verify/verdict.ts, remote.ts): what a scanned
// code holds, a certificate file's verdict before any signature is checked, shares, areas and
// keys in words, the address of a node typed by hand, and a node's checkpoint list.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/codec/index.js';
import { trustFromGenesis } from '../../shared/checkpoint/index.js';
import { encodeQrDocument } from '../../shared/receipt/index.js';
import { devGenesis } from '../../electron/node/dev/demo-registry.js';
import { CHECKPOINTS_LISTED_MAX, nodeBase, readCheckpointList, RemoteError } from '../../renderer/verify/remote.js';
import {
  compactVerdict,
  documentVerdict,
  readScannedCode,
  shareFraction,
  shortKey,
  squareMetres,
  witnessNames,
} from '../../renderer/verify/verdict.js';

const trust = trustFromGenesis(devGenesis({ objects: 1 }));
const header = (chainId: string) => ({ chainId, height: 5 });

describe("the verification page's verdicts", () => {
  it('sorts a QR code into a compact proof (NC1), a NOTARY1: document, or neither', async () => {
    const compact = Uint8Array.from([...utf8('NC1'), 0x8d]);
    expect(readScannedCode(compact)).toEqual({ kind: 'compact', bytes: compact });
    const text = await encodeQrDocument({ kind: 'certificate' });
    expect(readScannedCode(utf8(text))).toEqual({ kind: 'document', text });
    expect(readScannedCode(utf8('https://example.com'))).toEqual({ kind: 'other' });
    expect(readScannedCode(utf8('NC1'))).toEqual({ kind: 'other' });
  });

  it('refuses a file before trust (NO_TRUST), a file of no known kind (NOT_A_CERTIFICATE), another registry (OTHER_CHAIN), a broken certificate (MALFORMED)', () => {
    expect(documentVerdict({ kind: 'certificate' }, undefined)).toMatchObject({ ok: false, code: 'NO_TRUST' });
    expect(documentVerdict({ kind: 'genesis' }, trust)).toMatchObject({ ok: false, code: 'NOT_A_CERTIFICATE' });
    expect(documentVerdict(null, trust)).toMatchObject({ ok: false, code: 'NOT_A_CERTIFICATE' });
    expect(documentVerdict({ kind: 'certificate', header: header('another-registry') }, trust)).toMatchObject({
      ok: false,
      code: 'OTHER_CHAIN',
      chainId: 'another-registry',
    });
    expect(documentVerdict({ kind: 'certificate', header: header(trust.chainId) }, trust)).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    expect(documentVerdict({ kind: 'receipt', header: header(trust.chainId) }, trust)).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
  });

  it("keeps a failed compact proof's code, registry and height (UNKNOWN_CHECKPOINT names the checkpoint to import)", () => {
    expect(
      compactVerdict({ ok: false, code: 'UNKNOWN_CHECKPOINT', reason: 'import it', chainId: 'c', height: 720 }),
    ).toEqual({ ok: false, code: 'UNKNOWN_CHECKPOINT', reason: 'import it', chainId: 'c', height: 720 });
    expect(compactVerdict({ ok: false, code: 'MALFORMED', reason: 'bad' })).toEqual({
      ok: false,
      code: 'MALFORMED',
      reason: 'bad',
    });
  });

  it("leaves the owners out of a passed proof whose QR code carried only the owners' hash", () => {
    const verdict = compactVerdict({
      ok: true,
      chainId: 'c',
      height: 9,
      timeMs: 1,
      fields: {
        id: 'BY-1',
        version: 2,
        kind: 'land',
        areaDm2: 123_456,
        ownersCount: 7,
        ownersHash: new Uint8Array(32),
        mortgages: 0,
        arrests: 1,
      },
      validatorsSigned: 3,
      validatorsTotal: 4,
      witnesses: [],
    });
    expect(verdict).toMatchObject({ ok: true, holding: { ownersCount: 7, arrests: 1 } });
    expect(verdict.ok && verdict.holding && 'owners' in verdict.holding).toBe(false);
  });

  it('says a share as a reduced fraction, an area in square metres, a key by its ends, each witness once', () => {
    expect(shareFraction([2, 4])).toBe('1/2');
    expect(shareFraction([1, 1])).toBe('1/1');
    expect(shareFraction([3, 7])).toBe('3/7');
    expect(squareMetres(5_432)).toBe(54.32);
    expect(shortKey('0123456789abcdef'.repeat(4))).toBe('01234567…cdef');
    expect(shortKey('abcd')).toBe('abcd');
    expect(
      witnessNames([
        { key: 'a', name: 'Bank' },
        { key: 'b', name: 'Court' },
        { key: 'a', name: 'Bank' },
      ]),
    ).toEqual(['Bank', 'Court']);
  });
});

describe("the verification page's node address and checkpoint list", () => {
  it('makes an API base from what a person types, and refuses what is not a web address (BAD_URL)', () => {
    expect(nodeBase('gateway.example.by')).toBe('https://gateway.example.by/api/v1');
    expect(nodeBase(' http://10.0.0.5:8081/ ')).toBe('http://10.0.0.5:8081/api/v1');
    expect(nodeBase('http://127.0.0.1:8080/api/v1/')).toBe('http://127.0.0.1:8080/api/v1');
    expect(nodeBase('https://example.by/registry')).toBe('https://example.by/registry/api/v1');
    for (const typed of ['', 'javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.by', 'http://']) {
      expect(() => nodeBase(typed), typed).toThrow(RemoteError);
    }
  });

  it('reads a checkpoint list newest first, at most CHECKPOINTS_LISTED_MAX, and refuses what is not one (UNEXPECTED)', () => {
    const entry = (height: number) => ({
      height,
      timeMs: height * 1000,
      id: 'ab'.repeat(32),
      statements: 40,
      validatorsSigned: 3,
      validatorsTotal: 3,
      witnesses: 1,
      proofs: true,
    });
    const list = readCheckpointList(Array.from({ length: 30 }, (_, i) => entry(i + 1)));
    expect(list).toHaveLength(CHECKPOINTS_LISTED_MAX);
    expect(list[0]!.height).toBe(30);
    expect(list.at(-1)!.height).toBe(30 - CHECKPOINTS_LISTED_MAX + 1);
    for (const answer of [{ error: 'x' }, [{ height: 'one' }], null]) {
      try {
        readCheckpointList(answer);
        expect.unreachable();
      } catch (error) {
        expect((error as RemoteError).code).toBe('UNEXPECTED');
      }
    }
  });
});
