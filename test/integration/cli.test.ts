// The `notary` command line, run as a real child process against temporary folders: keys,
// offline verification of receipts, audits of a stopped node's chain, and the API commands.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signContract, txHash, type Transaction } from '../../shared/ledger/index.js';
import { encodeQrDocument } from '../../shared/receipt/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { DataFiles } from '../../electron/node/config.js';
import { devCommitBlock, devGenesis, devKeys, devParty, devTransfers } from '../../electron/node/dev/demo-registry.js';
import { unlockKeystore } from '../../electron/node/keystore/index.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { Keys, Prefix } from '../../electron/node/store/keys.js';
import { runNotary, type CliRun } from '../support/notary-cli.js';

const genesis = devGenesis({ objects: 50, parties: 10 });
const PASSPHRASE = 'a registry passphrase';
let root: string;
let data: string;
let receiptFile: string;
let receipt: { tx: Transaction; header: { height: number } };
let certificateFile: string;
let genesisFile: string;
let passphraseFile: string;
const BLOCKS = 3;
const TRANSFERS_PER_BLOCK = 4;

type Run = CliRun;
const notary = (...args: string[]) => runNotary(args);

/** One clear sentence: never a stack trace. */
function expectNoStack(run: Run) {
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'notary-cli-'));
  data = join(root, 'node');
  const chain = await Chain.open({ dir: join(data, DataFiles.chain), genesis });
  let receiptBlock;
  for (let i = 0; i < BLOCKS; i++) {
    const timeMs = chain.head.header.timeMs + 1_000;
    const txs = await devTransfers(chain, TRANSFERS_PER_BLOCK, {
      objects: 50,
      parties: 10,
      seed: chain.head.height,
      nowMs: timeMs,
    });
    const { block } = await devCommitBlock(chain, txs, timeMs);
    if (i === 1) receiptBlock = block;
  }
  const tx = receiptBlock!.txs[2]!;
  receipt = JSON.parse(JSON.stringify(await chain.receipt(txHash(tx))));
  const objectId = (tx as Extract<Transaction, { type: 'transfer' }>).payload.contract.objectId;
  const certificate = JSON.parse(JSON.stringify(await chain.certificate(objectId)));
  await chain.close();
  genesisFile = join(data, DataFiles.genesis);
  await writeFile(genesisFile, JSON.stringify(genesis));
  receiptFile = join(root, 'receipt.json');
  await writeFile(receiptFile, JSON.stringify(receipt));
  certificateFile = join(root, 'certificate.json');
  await writeFile(certificateFile, JSON.stringify(certificate));
  passphraseFile = join(root, 'passphrase');
  await writeFile(passphraseFile, `${PASSPHRASE}\n`);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('notary keys new', () => {
  it('seals a new key in a 0600 keystore that unlocks with the passphrase, and prints its public key', async () => {
    const out = join(root, 'party.key.json');
    const run = await notary('keys', 'new', '--out', out, '--passphrase-file', passphraseFile);
    expect(run.code).toBe(0);
    const publicKey = /^public key ([0-9a-f]{64})$/m.exec(run.stdout)?.[1];
    expect(publicKey).toBeDefined();
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect((await unlockKeystore(out, PASSPHRASE)).publicKey).toBe(publicKey);
    await expect(unlockKeystore(out, 'not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const again = await notary('keys', 'new', '--out', out, '--passphrase-file', passphraseFile);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/already exists/) });
  });

  it('seals a demo party of the dev chain, so a newcomer can sign demo contracts; refuses a party that is not one', async () => {
    const out = join(root, 'party-7.key.json');
    const run = await notary('keys', 'dev-party', '7', '--out', out, '--passphrase-file', passphraseFile);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`public key ${devParty(7).publicKey}\n`);
    expect((await unlockKeystore(out, PASSPHRASE)).publicKey).toBe(devParty(7).publicKey);
    const bad = await notary(
      'keys',
      'dev-party',
      '50',
      '--out',
      join(root, 'nope50.json'),
      '--passphrase-file',
      passphraseFile,
    );
    expect(bad).toMatchObject({ code: 1, stderr: 'notary: 50 is not a demo party: give a number from 0 to 49.\n' });
  });

  it('asks for a passphrase only on a terminal, never takes a short one', async () => {
    const noTerminal = await notary('keys', 'new', '--out', join(root, 'nope.json'));
    expect(noTerminal).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/No passphrase: give --passphrase-file/),
    });
    const short = join(root, 'short');
    await writeFile(short, 'seven77\n');
    const tooShort = await notary('keys', 'new', '--out', join(root, 'nope.json'), '--passphrase-file', short);
    expect(tooShort).toMatchObject({ code: 1, stderr: expect.stringMatching(/at least 8 characters/) });
    expectNoStack(tooShort);
  });
});

describe('notary tx sign and certify (issue 12, item 6)', () => {
  /** A transfer of demo object 7 signed by both parties, ready for the notary; `expiresAtMs` as given. */
  async function signedTransfer(name: string, expiresAtMs?: number): Promise<string> {
    const built = join(root, `${name}.built.json`);
    const run = await notary(
      'tx',
      'transfer',
      '--chain-id',
      genesis.chainId,
      '--object',
      'BY-DEV-000007',
      '--object-version',
      '1',
      '--seller',
      devParty(7).publicKey,
      '--buyer',
      devParty(8).publicKey,
      '--price',
      '10000000',
      '--notary',
      devKeys.notary.publicKey,
      '--duty-ref',
      'ERIP-1',
      '--duty',
      '20000',
      '--out',
      built,
    );
    expect(run.code).toBe(0);
    const tx = JSON.parse(await readFile(built, 'utf8')) as Transaction & {
      payload: { contract: Parameters<typeof signContract>[0]; consents: unknown[] };
    };
    if (expiresAtMs !== undefined) tx.expiresAtMs = expiresAtMs;
    tx.payload.consents = [
      signContract(tx.payload.contract, tx.chainId, devParty(7).secretKey),
      signContract(tx.payload.contract, tx.chainId, devParty(8).secretKey),
    ];
    const file = join(root, `${name}.signed.json`);
    await writeFile(file, JSON.stringify(tx));
    return file;
  }

  /** A devnet-style plain key file of the dev notary (0600), as `notary devnet` writes it. */
  async function plainNotaryKey(name: string): Promise<string> {
    const file = join(root, name);
    await writeFile(
      file,
      JSON.stringify({ publicKey: devKeys.notary.publicKey, secretKey: devKeys.notary.secretKey }),
      {
        mode: 0o600,
      },
    );
    return file;
  }

  function certify(transfer: string, key: string, out: string, ...extra: string[]): Promise<Run> {
    return notary('tx', 'certify', transfer, '--key', key, '--passphrase-file', passphraseFile, '--out', out, ...extra);
  }

  it("says a devnet's plain signing-key.json is not a damaged keystore but another kind of file, and how to certify with it", async () => {
    const transfer = await signedTransfer('plain');
    const plain = await plainNotaryKey('signing-key.json');
    const refused = await certify(transfer, plain, join(root, 'plain.certified.json'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/damaged:/);
    expect(refused.stderr).toMatch(/is a plain signing key .*not an encrypted keystore; it is not damaged/);
    expect(refused.stderr).toMatch(/notary keys seal .*signing-key\.json --out notary\.keystore\.json/);
    expectNoStack(refused);
    // the way it names works
    const sealed = join(root, 'notary.keystore.json');
    const seal = await notary('keys', 'seal', plain, '--out', sealed, '--passphrase-file', passphraseFile);
    expect(seal).toMatchObject({ code: 0, stdout: `public key ${devKeys.notary.publicKey}\n` });
    const certified = await certify(transfer, sealed, join(root, 'plain.certified.json'));
    expect(certified).toMatchObject({ code: 0, stdout: expect.stringMatching(/^certified by notary /) });
  });

  it('refuses to sign or certify an expired transaction unless --allow-expired, and warns when it is about to expire', async () => {
    const expired = await signedTransfer('expired', Date.now() - 3 * 3_600_000);
    const sealed = join(root, 'notary-expiry.keystore.json');
    const plain = await plainNotaryKey('notary-expiry.plain.json');
    expect((await notary('keys', 'seal', plain, '--out', sealed, '--passphrase-file', passphraseFile)).code).toBe(0);
    const out = join(root, 'expired.certified.json');
    const refused = await certify(expired, sealed, out);
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^notary: This transfer expired at .* \(3 h ago\); the ledger refuses it \(EXPIRED\)\. .*--allow-expired/,
      ),
    });
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    const forced = await certify(expired, sealed, out, '--allow-expired');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/warning: this transfer expired at .*signed anyway/);
    // sign takes the same check (a party's consent to an expired transfer)
    const unconsented = join(root, 'unconsented-expired.json');
    const unconsentedTx = JSON.parse(await readFile(expired, 'utf8')) as Transaction;
    await writeFile(
      unconsented,
      JSON.stringify({ ...unconsentedTx, payload: { ...unconsentedTx.payload, consents: [] } }),
    );
    const party = join(root, 'party-7-expiry.key.json');
    expect((await notary('keys', 'dev-party', '7', '--out', party, '--passphrase-file', passphraseFile)).code).toBe(0);
    expect(
      await notary(
        'tx',
        'sign',
        unconsented,
        '--key',
        party,
        '--passphrase-file',
        passphraseFile,
        '--out',
        join(root, 'unconsented-expired.signed.json'),
      ),
    ).toMatchObject({ code: 1, stderr: expect.stringMatching(/expired at .*EXPIRED/) });
    // about to expire: signed, with a warning
    const soon = await signedTransfer('soon', Date.now() + 20 * 60_000);
    const warned = await certify(soon, sealed, join(root, 'soon.certified.json'));
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/warning: this transfer expires at .*, in (19|20) min/);
  });
});

describe('notary verify', () => {
  it('accepts a receipt from the dev chain against the genesis validators', async () => {
    const run = await notary('verify', receiptFile, '--genesis', genesisFile);
    expect(run.code).toBe(0);
    const hash = txHash(receipt.tx);
    expect(run.stdout).toMatch(
      new RegExp(
        `^valid: transfer of BY-DEV-\\d{6} \\(tx ${hash}\\) final at height ${receipt.header.height}, block [0-9a-f]{64}, time 2026-`,
      ),
    );
  });

  it('accepts the text of a printed QR code, and refuses a damaged one in one sentence', async () => {
    const qrFile = join(root, 'receipt.qr.txt');
    await writeFile(qrFile, `${await encodeQrDocument(receipt)}\n`);
    const run = await notary('verify', qrFile, '--genesis', genesisFile);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid: transfer of BY-DEV-\d{6}/);
    const damaged = join(root, 'damaged.qr.txt');
    await writeFile(damaged, (await encodeQrDocument(receipt)).slice(0, -10));
    const bad = await notary('verify', damaged, '--genesis', genesisFile);
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^notary: The QR text in .* cannot be read: the QR text is damaged/),
    });
    expectNoStack(bad);
  });

  it('never calls a document valid without a trust anchor (no --genesis, no --trusted-validators): NO_TRUST_ANCHOR, exit 2', async () => {
    // Self-consistency alone proves nothing: a forger signs with validator keys of their own.
    for (const file of [receiptFile, certificateFile]) {
      const run = await notary('verify', file);
      expect(run.code).toBe(2);
      expect(run.stdout).toMatch(/^UNVERIFIED \(NO_TRUST_ANCHOR\): .*--genesis/);
      expect(run.stdout).not.toMatch(/^valid/m);
    }
    // a tampered document is still INVALID (exit 1), anchor or not
    const tampered = structuredClone(receipt) as { tx: { nonce: number } };
    tampered.tx.nonce += 1;
    const tamperedFile = join(root, 'tampered-no-anchor.json');
    await writeFile(tamperedFile, JSON.stringify(tampered));
    expect(await notary('verify', tamperedFile)).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^INVALID \(INVALID_PROOF\)/),
    });
  });

  it('accepts an ownership certificate against a list of trusted keys', async () => {
    const trusted = join(root, 'trusted.json');
    await writeFile(trusted, JSON.stringify([devKeys.registrar.publicKey, devKeys.notary.publicKey]));
    const run = await notary('verify', certificateFile, '--trusted-validators', trusted);
    expect(run).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^valid: ownership certificate of BY-DEV-\d{6} final at height 3/),
    });
  });

  it('rejects a tampered receipt, and one signed by validators it does not trust [REQ-RCT.1]', async () => {
    const tampered = structuredClone(receipt) as { tx: { nonce: number } };
    tampered.tx.nonce += 1;
    const tamperedFile = join(root, 'tampered.json');
    await writeFile(tamperedFile, JSON.stringify(tampered));
    const run = await notary('verify', tamperedFile, '--genesis', genesisFile);
    expect(run).toMatchObject({
      code: 1,
      stdout: 'INVALID (INVALID_PROOF): the transaction is not in the block it names\n',
    });
    const bankOnly = join(root, 'bank.json');
    await writeFile(bankOnly, JSON.stringify([devKeys.bank.publicKey]));
    const untrusted = await notary('verify', receiptFile, '--trusted-validators', bankOnly);
    expect(untrusted).toMatchObject({ code: 1, stdout: expect.stringMatching(/^INVALID \(UNTRUSTED_VALIDATORS\)/) });
    const missing = await notary('verify', join(root, 'missing.json'));
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^notary: No receipt or certificate at .*missing\.json\.\n$/),
    });
  });
});

describe('notary audit', () => {
  it('finds a dev chain clean, with progress on stderr', async () => {
    const run = await notary('audit', '--data', data);
    expect(run).toMatchObject({
      code: 0,
      stdout: `audit: clean, ${BLOCKS + 1} blocks, ${BLOCKS * TRANSFERS_PER_BLOCK} transactions\n`,
    });
    expect(run.stderr).toMatch(new RegExp(`audit: height ${BLOCKS} / ${BLOCKS} \\(100%\\)`));
  });

  it('names the height of a block with a flipped byte', async () => {
    const copy = join(root, 'damaged');
    await cp(data, copy, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(copy, DataFiles.chain), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    const bytes = (await db.get(Keys.block(2)))!;
    bytes[bytes.length - 1]! ^= 0x01;
    await db.put(Keys.block(2), bytes);
    await db.close();
    const run = await notary('audit', '--data', copy);
    expect(run).toMatchObject({ code: 1, stdout: expect.stringMatching(/^audit: DAMAGE at height 2: row block 2: /) });
  });

  it('names an object-history index row with a flipped byte, with its object and height', async () => {
    const copy = join(root, 'damaged-index');
    await cp(data, copy, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(copy, DataFiles.chain), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    const [row] = await db
      .iterator({ gte: Uint8Array.of(Prefix.objectHistory), lt: Uint8Array.of(Prefix.objectHistory + 1), limit: 1 })
      .all();
    const [key, value] = row!;
    value[0]! ^= 0x01;
    await db.put(key, value);
    await db.close();
    const run = await notary('audit', '--data', copy);
    expect(run).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(
        /^audit: DAMAGE at height (\d+): row object-history \S+ at height \1, index \d+: differs from the replayed chain\n$/,
      ),
    });
  });

  it('names the committed blocks a store lost when its write-ahead log was cut short', async () => {
    const copy = join(root, 'rolled-back');
    await cp(data, copy, { recursive: true });
    const chainDir = join(copy, DataFiles.chain);
    // One more block, alone in a fresh log (opening folds the old log into a table).
    const chain = await Chain.open({ dir: chainDir, genesis });
    const timeMs = chain.head.header.timeMs + 1_000;
    await devCommitBlock(
      chain,
      await devTransfers(chain, 2, { objects: 50, parties: 10, seed: 99, nowMs: timeMs }),
      timeMs,
    );
    await chain.close();
    const log = join(
      chainDir,
      (await readdir(chainDir))
        .filter((name) => name.endsWith('.log'))
        .sort()
        .at(-1)!,
    );
    await truncate(log, (await stat(log)).size - 10);
    // `notary start` opens the store the same way (ChainStore.open) and gives the same sentence.
    const run = await notary('audit', '--data', copy);
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        new RegExp(
          `^notary: The store at .* lost committed block ${BLOCKS + 1}: LevelDB opens at height ${BLOCKS} .*Move the chain folder aside`,
        ),
      ),
    });
    expectNoStack(run);
  });

  it('gives one clear sentence for a missing folder, a store refused at open, or a store a running node holds', async () => {
    const missing = await notary('audit', '--data', join(root, 'no-such-node'));
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^notary: No node data folder at .*no-such-node\.\n$/),
    });
    const refused = join(root, 'refused');
    await mkdir(join(refused, DataFiles.chain), { recursive: true });
    await writeFile(join(refused, DataFiles.genesis), JSON.stringify(genesis));
    await writeFile(join(refused, DataFiles.chain, '000001.log'), 'not a LevelDB log');
    const corrupt = await notary('audit', '--data', refused);
    expect(corrupt).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^notary: The store at .* is corrupt: its CURRENT file is missing/),
    });
    const store = await ChainStore.open(join(data, DataFiles.chain), { createIfMissing: false });
    try {
      const locked = await notary('audit', '--data', data);
      expect(locked).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/Another notary node is using .*; stop it first\./),
      });
      expectNoStack(locked);
    } finally {
      await store.close();
    }
  });
});

describe('notary repair', () => {
  it('moves the chain folder aside and says what the next start does; refused while a node holds the store; one sentence without a chain folder', async () => {
    const copy = join(root, 'to-repair');
    await cp(data, copy, { recursive: true });
    const store = await ChainStore.open(join(copy, DataFiles.chain), { createIfMissing: false });
    try {
      const locked = await notary('repair', '--data', copy);
      expect(locked).toMatchObject({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(
          /^notary: A notary node is using .*to-repair\/chain \(its LevelDB lock is held\): stop it first, then run notary repair again\.\n$/,
        ),
      });
    } finally {
      await store.close();
    }
    const run = await notary('repair', '--data', copy);
    expect(run).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^repair: moved the chain folder to .*to-repair\/chain\.damaged-\d{8}T\d{6}Z\.\nStart the node .*re-syncs every block from its peers/,
      ),
    });
    const entries = await readdir(copy);
    expect(entries).not.toContain(DataFiles.chain);
    expect(entries.filter((name) => /^chain\.damaged-\d{8}T\d{6}Z$/.test(name))).toHaveLength(1);
    const again = await notary('repair', '--data', copy);
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^notary: No chain folder at .*to-repair\/chain: nothing to repair/),
    });
  });
});

describe('notary status, submit and receipt', () => {
  const token = 'ab'.repeat(32);
  let server: Server;
  let api: string;
  let tokenFile: string;

  beforeAll(async () => {
    tokenFile = join(root, 'api-token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const known = txHash(receipt.tx);
    server = createServer((request, response) => {
      const send = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.headers.authorization !== `Bearer ${token}`)
        return send(401, { error: { code: 'UNAUTHORIZED', message: 'send the token' } });
      if (request.url === '/api/v1/status') {
        return send(200, {
          chainId: genesis.chainId,
          nodeName: 'node-1',
          role: 'notary',
          peerId: '12D3KooWtest',
          height: 7,
          headHash: 'cd'.repeat(32),
          headTimeMs: genesis.genesisTimeMs,
          online: true,
          peers: 3,
          validators: 4,
          validatorsReachable: 4,
          syncing: false,
          inSync: false,
          behind: { reason: 'store', blocks: 3 },
          mempool: { size: 0, bytes: 0 },
          outbox: { pending: 1, final: 2, rejected: 0 },
          protocol: { version: 1, supported: [1, 2], upgrade: { version: 2, height: 120 } },
          params: { maxValidators: 100, heartbeatMs: 120_000 },
          clock: { offsetMs: -300_400, samples: 9, proposers: 3, sinceMs: genesis.genesisTimeMs, state: 'off' },
          disk: {
            state: 'full',
            freeBytes: 0,
            reserveBytes: 256 * 1024 * 1024,
            sinceMs: genesis.genesisTimeMs,
            sentence:
              'the disk holding /srv/notary is full (ENOSPC); this node accepts no new transactions and may fall behind until space is freed, then catches up by itself',
          },
        });
      }
      if (request.url === '/api/v1/txs' && request.method === 'POST')
        return send(422, {
          error: { code: 'STALE_VERSION', message: 'object BY-7-0001 changed at height 1 since this was signed' },
        });
      if (request.url === `/api/v1/receipts/${known}`) return send(200, receipt);
      return send(404, { error: { code: 'NOT_FOUND', message: 'no receipt for that transaction' } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('shows the node status', async () => {
    const run = await notary('status', '--api', api, '--token-file', tokenFile);
    expect(run).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^node node-1 \(notary\), chain by-registry-dev[\s\S]*height 7[^\n]*\nNOT IN SYNC: its store takes no writes \(see the DISK or DAMAGED line\), so it cannot follow the chain \(3 blocks behind the network\); what it reads may be out of date\n[\s\S]*online: 4 of 4 validators reachable[\s\S]*protocol 1 \(this software runs 1, 2\); upgrade to 2 at height 120\nCLOCK OFF: This computer's clock is 5 min behind the network's: set it right[^\n]*\nDISK FULL since \S+: the disk holding \/srv\/notary is full \(ENOSPC\)/,
      ),
    });
  });

  it('prints an API refusal as CODE: message', async () => {
    const run = await notary('submit', receiptFile, '--api', api, '--token-file', tokenFile);
    expect(run).toMatchObject({
      code: 1,
      stderr: 'notary: STALE_VERSION: object BY-7-0001 changed at height 1 since this was signed\n',
    });
  });

  it('fetches a receipt into a file that verifies offline, and says clearly when there is none', async () => {
    const out = join(root, 'fetched.json');
    const run = await notary('receipt', txHash(receipt.tx), '--api', api, '--token-file', tokenFile, '--out', out);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(receipt);
    expect((await notary('verify', out, '--genesis', genesisFile)).code).toBe(0);
    const none = await notary('receipt', 'ee'.repeat(32), '--api', api, '--token-file', tokenFile);
    expect(none).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^notary: No receipt for e{64} at .*: the transaction is unknown to the node or not final yet/,
      ),
    });
  });

  it('says so when the node is not running or the token is missing', async () => {
    const down = await notary('status', '--api', 'http://127.0.0.1:1', '--token-file', tokenFile);
    expect(down).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Cannot reach the node at http:\/\/127\.0\.0\.1:1/),
    });
    const noToken = await notary('status', '--api', api, '--data', join(root, 'no-such-node'));
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringMatching(/No API token at .*api-token/) });
  });
});
