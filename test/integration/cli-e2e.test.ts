// The `notary` CLI end to end, every step a real child process against temporary folders:
// init --dev, start (a single-validator dev chain), keys new, tx transfer / sign / certify,
// submit, receipt, verify offline, stop, then audit finding one flipped byte by its height.
// Plus the refusals: init into a non-empty folder, start with a wrong passphrase, certify
// with a key that is not the transfer's notary: each one sentence and a non-zero exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PropertyView, TxStatus } from '../../shared/api/index.js';
import { parseTransaction, type TxOf } from '../../shared/ledger/index.js';
import { DataFiles } from '../../electron/node/config.js';
import { devKeys, devObjectId, devParty } from '../../electron/node/dev/demo-registry.js';
import { createKeystore, SCRYPT_DEFAULTS } from '../../electron/node/keystore/index.js';
import { Keys } from '../../electron/node/store/keys.js';
import { runNotary, type CliRun } from '../support/notary-cli.js';

const CLI = 'electron/node/cli.ts';
const PASSPHRASE = 'an end-to-end passphrase';
const OBJECT_INDEX = 3;
const OBJECT_ID = devObjectId(OBJECT_INDEX);

let root: string;
let data: string;
let passphraseFile: string;
let node: ChildProcess | undefined;
let nodeLog = '';
let api = '';
let token = '';

type Run = CliRun;
const notary = (...args: string[]) => runNotary(args, { timeoutMs: 60_000, env: { NOTARY_PASSPHRASE_FILE: '' } });

/** A refusal: non-zero exit, one line on stderr, no stack trace. */
function expectOneSentence(run: Run, sentence: RegExp) {
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/^notary: [^\n]+\n$/);
  expect(run.stderr).toMatch(sentence);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** `notary start` as a child process; resolves with the API URL it prints. */
function startNode(...extra: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--data', data, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NOTARY_LOG_LEVEL: 'warn', NOTARY_PASSPHRASE_FILE: '' },
  });
  node = child;
  child.stderr!.on('data', (chunk: Buffer) => {
    nodeLog = (nodeLog + chunk.toString()).slice(-20_000);
  });
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the node did not start in 60 s: ${nodeLog}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /API (http:\/\/\S+)\/api\/v1/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the node exited with ${code}: ${nodeLog}`));
    });
  });
}

function stopNode(): Promise<number | null> {
  const child = node;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api}/api/v1${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const file = (name: string) => join(root, name);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'notary-cli-e2e-'));
  data = join(root, 'node');
  passphraseFile = file('passphrase');
  await writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await stopNode();
  await rm(root, { recursive: true, force: true });
});

describe('notary CLI end to end on a dev chain', () => {
  let nodeKey = '';
  let buyerKey = '';
  let hash = '';
  let finalHeight = 0;

  it("init --dev writes a node whose key is the dev chain's validator, and prints the next command", async () => {
    const run = await notary(
      'init',
      '--data',
      data,
      '--dev',
      '--passphrase-file',
      passphraseFile,
      '--name',
      'E2E notary office',
    );
    expect(run.code).toBe(0);
    nodeKey = /^public key ([0-9a-f]{64})$/m.exec(run.stdout)?.[1] ?? '';
    expect(nodeKey).toMatch(/^[0-9a-f]{64}$/);
    expect(run.stdout).toMatch(/^peer id 12D3KooW\w+$/m);
    expect(run.stdout).toContain(`start it with: npx notary start --data ${data}`);
    // The dev chain keeps the chain's heartbeat (a block every 2 min while idle); this test wants
    // to see idle blocks, so the node overrides it as test networks do (config consensus.heartbeatMs).
    const config = JSON.parse(await readFile(join(data, DataFiles.config), 'utf8')) as {
      consensus?: Record<string, number>;
    };
    expect(config.consensus?.heartbeatMs).toBeUndefined();
    config.consensus = { ...config.consensus, heartbeatMs: 1_000 };
    await writeFile(join(data, DataFiles.config), `${JSON.stringify(config, null, 2)}\n`);
  });

  it('refuses init into a folder that is not empty', async () => {
    expectOneSentence(
      await notary('init', '--data', data, '--dev', '--passphrase-file', passphraseFile),
      /is not empty/,
    );
  });

  it('refuses to start with a wrong passphrase, and without one when stdin is no terminal', async () => {
    const wrong = file('wrong-passphrase');
    await writeFile(wrong, 'not the right passphrase\n');
    expectOneSentence(
      await notary('start', '--data', data, '--passphrase-file', wrong),
      /Cannot unlock .*the passphrase is wrong/,
    );
    expectOneSentence(await notary('start', '--data', data), /is locked: pass --passphrase-file FILE/);
  });

  it('starts, and the node commits blocks alone', async () => {
    api = await startNode('--passphrase-file', passphraseFile);
    token = (await readFile(join(data, 'api-token'), 'utf8')).trim();
    await waitFor('height 2', async () =>
      (await get<{ height: number }>('/status')).body.height >= 2 ? true : undefined,
    );
    const status = await notary('status', '--api', `${api}/api/v1`, '--data', data);
    expect(status).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^node E2E notary office \(notary\), chain by-registry-dev/),
    });
  });

  it('keys new, tx transfer, tx sign by seller and buyer, tx certify by the node, submit: final', async () => {
    const buyerKeystore = file('buyer.key.json');
    const keys = await notary('keys', 'new', '--out', buyerKeystore, '--passphrase-file', passphraseFile);
    expect(keys.code).toBe(0);
    buyerKey = /^public key ([0-9a-f]{64})$/m.exec(keys.stdout)![1]!;
    // The seller owns a genesis object, so it is a well-known dev party key (dev chains only):
    // the test seals that key into a keystore itself, as `keys new` would for a real person.
    const seller = devParty(OBJECT_INDEX);
    const sellerKeystore = file('seller.key.json');
    await createKeystore(sellerKeystore, seller, PASSPHRASE, SCRYPT_DEFAULTS);

    const view = await get<PropertyView>(`/properties/${OBJECT_ID}`);
    expect(view.body.property.owners).toEqual([{ key: seller.publicKey, share: [1, 1] }]);
    const version = view.body.property.version;

    const unsigned = file('transfer.json');
    const build = await notary(
      'tx',
      'transfer',
      '--data',
      data,
      '--object',
      OBJECT_ID,
      '--object-version',
      String(version),
      '--seller',
      seller.publicKey,
      '--buyer',
      `${buyerKey}=1/1`,
      '--price',
      '10000000',
      '--notary',
      nodeKey,
      '--duty-ref',
      'ERIP-E2E-1',
      '--duty',
      '20000',
      '--out',
      unsigned,
    );
    expect(build).toMatchObject({ code: 0, stdout: expect.stringMatching(/^transfer written to /) });
    const built = parseTransaction(JSON.parse(await readFile(unsigned, 'utf8'))) as TxOf<'transfer'>;
    expect(built.payload.consents).toEqual([]);
    expect(built.signatures).toEqual([]);
    const again = await notary(
      'tx',
      'transfer',
      '--chain-id',
      'by-registry-dev',
      '--object',
      OBJECT_ID,
      '--object-version',
      '1',
      '--seller',
      seller.publicKey,
      '--buyer',
      buyerKey,
      '--price',
      '1',
      '--notary',
      nodeKey,
      '--duty-ref',
      'X',
      '--duty',
      '1',
      '--out',
      unsigned,
    );
    expectOneSentence(again, /already exists; choose another --out file or add --force/);

    const bySeller = file('transfer.seller.json');
    expect(
      (
        await notary(
          'tx',
          'sign',
          unsigned,
          '--key',
          sellerKeystore,
          '--passphrase-file',
          passphraseFile,
          '--out',
          bySeller,
        )
      ).code,
    ).toBe(0);
    expectOneSentence(
      await notary(
        'tx',
        'sign',
        bySeller,
        '--key',
        sellerKeystore,
        '--passphrase-file',
        passphraseFile,
        '--out',
        file('twice.json'),
      ),
      /has already signed this contract/,
    );
    // certifying before the buyer signed names who is missing
    expectOneSentence(
      await notary(
        'tx',
        'certify',
        bySeller,
        '--key',
        join(data, DataFiles.signingKeystore),
        '--passphrase-file',
        passphraseFile,
        '--out',
        file('early.json'),
      ),
      new RegExp(`not signed yet by buyer ${buyerKey}`),
    );
    const byBoth = file('transfer.signed.json');
    expect(
      (
        await notary(
          'tx',
          'sign',
          bySeller,
          '--key',
          buyerKeystore,
          '--passphrase-file',
          passphraseFile,
          '--out',
          byBoth,
        )
      ).code,
    ).toBe(0);

    // a key that is not the transfer's notary (here the buyer's) cannot certify it
    expectOneSentence(
      await notary(
        'tx',
        'certify',
        byBoth,
        '--key',
        buyerKeystore,
        '--passphrase-file',
        passphraseFile,
        '--out',
        file('bad-cert.json'),
      ),
      /is not the notary this transfer names/,
    );
    const certified = file('transfer.certified.json');
    const certify = await notary(
      'tx',
      'certify',
      byBoth,
      '--key',
      join(data, DataFiles.signingKeystore),
      '--passphrase-file',
      passphraseFile,
      '--out',
      certified,
    );
    expect(certify).toMatchObject({ code: 0, stdout: expect.stringMatching(/^certified by notary /) });

    const submit = await notary('submit', certified, '--api', `${api}/api/v1`, '--data', data);
    expect(submit.code).toBe(0);
    hash = /^tx ([0-9a-f]{64}):/.exec(submit.stdout)![1]!;
    const status = await waitFor('the transfer to be final', async () => {
      const answer = await get<TxStatus>(`/txs/${hash}`);
      if (answer.body.state === 'rejected') throw new Error(`rejected: ${JSON.stringify(answer.body)}`);
      return answer.body.state === 'final' ? answer.body : undefined;
    });
    finalHeight = status.height;
    const after = await get<PropertyView>(`/properties/${OBJECT_ID}`);
    expect(after.body.property).toMatchObject({ owners: [{ key: buyerKey, share: [1, 1] }], version: version + 1 });
  }, 120_000);

  it('receipt --out, verified offline against the genesis', async () => {
    const receipt = file('receipt.json');
    const fetched = await notary('receipt', hash, '--api', `${api}/api/v1`, '--data', data, '--out', receipt);
    expect(fetched.code).toBe(0);
    const verified = await notary('verify', receipt, '--genesis', join(data, DataFiles.genesis));
    expect(verified).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        new RegExp(`^valid: transfer of ${OBJECT_ID} \\(tx ${hash}\\) final at height ${finalHeight}`),
      ),
    });
  });

  it('stopped with SIGTERM, its store audits clean; one flipped byte is found at its height', async () => {
    // the flipped block is below the head: a damaged head block is refused at open, before any audit
    await waitFor('two blocks past the transfer', async () =>
      (await get<{ height: number }>('/status')).body.height >= finalHeight + 2 ? true : undefined,
    );
    expect(await stopNode()).toBe(0);
    expect(await notary('audit', '--data', data)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^audit: clean, \d+ blocks, 1 transactions\n$/),
    });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(data, DataFiles.chain), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    const bytes = (await db.get(Keys.block(finalHeight)))!;
    bytes[bytes.length - 1]! ^= 0x01;
    await db.put(Keys.block(finalHeight), bytes);
    await db.close();
    const audit = await notary('audit', '--data', data);
    expect(audit, audit.stderr).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(new RegExp(`^audit: DAMAGE at height ${finalHeight}: `)),
    });
  });
});

describe('notary tx builders and signing refusals', () => {
  it('builds register, encumbrance and authority transactions; registrars each add one signature', async () => {
    await mkdir(file('builders'), { recursive: true });
    const out = (name: string) => file(`builders/${name}.json`);
    const common = ['--chain-id', 'by-registry-dev', '--nonce', '7'];
    const register = await notary(
      'tx',
      'register',
      ...common,
      '--registrar',
      devKeys.registrar.publicKey,
      '--object',
      'BY-7-9999',
      '--kind',
      'apartment',
      '--address',
      'Minsk, Lenina 1-1',
      '--area-m2',
      '54.2',
      '--owner',
      `${devParty(1).publicKey}=1/2`,
      '--owner',
      `${devParty(2).publicKey}=1/2`,
      '--out',
      out('register'),
    );
    expect(register.code).toBe(0);
    const registered = parseTransaction(JSON.parse(await readFile(out('register'), 'utf8')));
    expect(registered).toMatchObject({ type: 'property.register', nonce: 7, payload: { object: { areaDm2: 5420 } } });
    const mortgage = await notary(
      'tx',
      'encumbrance',
      'add',
      ...common,
      '--object',
      OBJECT_ID,
      '--object-version',
      '1',
      '--id',
      'M-1',
      '--kind',
      'mortgage',
      '--holder',
      devKeys.bank.publicKey,
      '--reference',
      'LOAN-1',
      '--out',
      out('mortgage'),
    );
    expect(mortgage.code).toBe(0);
    expect(
      (
        await notary(
          'tx',
          'encumbrance',
          'release',
          ...common,
          '--object',
          OBJECT_ID,
          '--object-version',
          '2',
          '--id',
          'M-1',
          '--out',
          out('release'),
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await notary(
          'tx',
          'authority',
          'add',
          ...common,
          '--key',
          devParty(9).publicKey,
          '--role',
          'notary',
          '--name',
          'Notary Petrova',
          '--out',
          out('add'),
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await notary(
          'tx',
          'authority',
          'revoke',
          ...common,
          '--key',
          devParty(9).publicKey,
          '--version',
          '1',
          '--reason',
          'licence withdrawn',
          '--out',
          out('revoke'),
        )
      ).code,
    ).toBe(0);
    const update = out('update');
    expect(
      (
        await notary(
          'tx',
          'authority',
          'update',
          ...common,
          '--key',
          devKeys.notary.publicKey,
          '--version',
          '1',
          '--status',
          'active',
          '--out',
          update,
        )
      ).code,
    ).toBe(0);

    const registrarKeystore = file('builders/registrar.key.json');
    const otherKeystore = file('builders/other-registrar.key.json');
    await createKeystore(registrarKeystore, devKeys.registrar, PASSPHRASE);
    await createKeystore(otherKeystore, devParty(20), PASSPHRASE);
    expect(
      (
        await notary(
          'tx',
          'sign',
          update,
          '--key',
          registrarKeystore,
          '--passphrase-file',
          passphraseFile,
          '--out',
          out('update.1'),
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await notary(
          'tx',
          'sign',
          out('update.1'),
          '--key',
          otherKeystore,
          '--passphrase-file',
          passphraseFile,
          '--out',
          out('update.2'),
        )
      ).code,
    ).toBe(0);
    expect(
      parseTransaction(JSON.parse(await readFile(out('update.2'), 'utf8'))).signatures.map((entry) => entry.key),
    ).toEqual([devKeys.registrar.publicKey, devParty(20).publicKey]);
    expectOneSentence(
      await notary(
        'tx',
        'sign',
        out('update.2'),
        '--key',
        otherKeystore,
        '--passphrase-file',
        passphraseFile,
        '--out',
        out('update.3'),
      ),
      /has already signed this authority\.update/,
    );
    expectOneSentence(
      await notary(
        'tx',
        'sign',
        out('register'),
        '--key',
        otherKeystore,
        '--passphrase-file',
        passphraseFile,
        '--out',
        out('register.bad'),
      ),
      /is not the registrar this registration names/,
    );
  }, 120_000);

  it('refuses a malformed file, a bad key or share, and a key that is no party of the contract, each in one sentence', async () => {
    const bad = file('bad-tx.json');
    await writeFile(bad, JSON.stringify({ type: 'transfer', chainId: 'by-registry-dev' }));
    const keystore = file('stranger.key.json');
    await createKeystore(keystore, devParty(30), PASSPHRASE);
    expectOneSentence(
      await notary('tx', 'sign', bad, '--key', keystore, '--passphrase-file', passphraseFile, '--out', file('x.json')),
      /is not a transaction this ledger accepts: not a valid transaction/,
    );
    const badKey = await notary(
      'tx',
      'transfer',
      '--chain-id',
      'by-registry-dev',
      '--object',
      OBJECT_ID,
      '--object-version',
      '1',
      '--seller',
      'abc',
      '--buyer',
      devParty(1).publicKey,
      '--price',
      '1',
      '--notary',
      devKeys.notary.publicKey,
      '--duty-ref',
      'X',
      '--duty',
      '1',
      '--out',
      file('y.json'),
    );
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toMatch(/--seller.*expected KEY or KEY=num\/den/);
    const transfer = file('stranger-transfer.json');
    expect(
      (
        await notary(
          'tx',
          'transfer',
          '--chain-id',
          'by-registry-dev',
          '--object',
          OBJECT_ID,
          '--object-version',
          '1',
          '--seller',
          devParty(3).publicKey,
          '--buyer',
          devParty(4).publicKey,
          '--price',
          '100',
          '--notary',
          devKeys.notary.publicKey,
          '--duty-ref',
          'X',
          '--duty',
          '5000',
          '--out',
          transfer,
        )
      ).code,
    ).toBe(0);
    expectOneSentence(
      await notary(
        'tx',
        'sign',
        transfer,
        '--key',
        keystore,
        '--passphrase-file',
        passphraseFile,
        '--out',
        file('z.json'),
      ),
      /is neither a seller nor a buyer of this contract/,
    );
    expectOneSentence(
      await notary(
        'tx',
        'certify',
        transfer,
        '--key',
        keystore,
        '--passphrase-file',
        passphraseFile,
        '--out',
        file('w.json'),
      ),
      /not signed yet by seller [0-9a-f]{64}, buyer [0-9a-f]{64}/,
    );
  }, 60_000);
});
