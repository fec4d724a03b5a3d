// property.correct end to end on a real registrar dev node (LevelDB, libp2p, the API serving
// dist/renderer): `notary tx correct` + `tx sign` + submit; the API route with its refusals;
// and the Registry screen's action in Chromium, in English, followed to final.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, apiClient, httpTransport, type ApiClient } from '../../../shared/api/index.js';
import type { PropertyObject } from '../../../shared/ledger/index.js';
import { devObjectId } from '../../../electron/node/dev/demo-registry.js';
import { NotaryNode } from '../../../electron/node/node.js';
import { initNode } from '../../../electron/node/setup/init.js';
import { en } from '../../../renderer/src/i18n/en.js';
import { goHash, newPage, openUi, pageErrors, ROOT, seriousViolations, settle } from '../../e2e/support.js';
import { launchChromium } from '../../support/browser.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
const PASSPHRASE = 'correct horse battery staple 42';

let dir: string;
let node: NotaryNode;
let api: ApiClient;
let keystore: string;
let browser: Browser | undefined;

function notary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'electron/node/cli.ts', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function objectOf(id: string): Promise<PropertyObject> {
  return (await api.call('property', { params: { id } })).property as PropertyObject;
}

async function finalOf(txHash: string): Promise<string> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const status = await api.call('txStatus', { params: { txHash } });
    if (status.state === 'final' || status.state === 'rejected') return status.state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'timeout';
}

async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiCallError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('the call was not refused');
}

describe('property.correct on a registrar dev node', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notary-correct-'));
    const init = await initNode({ dataDir: dir, dev: true, role: 'registrar', passphrase: PASSPHRASE });
    keystore = init.keystoreFile!;
    node = await NotaryNode.start({ dataDir: dir, passphrase: PASSPHRASE, logger: pino({ level: 'silent' }) });
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    api = apiClient(httpTransport({ baseUrl: node.apiUrl, token }));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('builds, signs and submits a correction with the CLI, and the object shows it at the next version', async () => {
    const id = devObjectId(3);
    const before = await objectOf(id);
    const unsigned = join(dir, 'correct.json');
    const signed = join(dir, 'correct.signed.json');
    const passphraseFile = join(dir, 'passphrase.txt');
    await writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    const registrar = (await api.call('identity')).publicKey!;
    const built = await notary(
      ...['tx', 'correct', '--data', dir, '--registrar', registrar, '--object', id],
      ...['--object-version', String(before.version), '--area-m2', '77.05', '--reason', 'Survey 2026-11-02 no. 117'],
      ...['--out', unsigned],
    );
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const sign = await notary(
      'tx',
      'sign',
      unsigned,
      '--key',
      keystore,
      '--passphrase-file',
      passphraseFile,
      '--out',
      signed,
    );
    expect(sign.code).toBe(0);
    const answer = await api.call('submit', { body: JSON.parse(await readFile(signed, 'utf8')) });
    expect(await finalOf(answer.txHash)).toBe('final');
    const after = await objectOf(id);
    expect(after).toMatchObject({ areaDm2: 7_705, address: before.address, version: before.version + 1 });
    const history = await api.call('propertyHistory', { params: { id } });
    expect(history.entries.at(-1)).toMatchObject({ type: 'property.correct', txHash: answer.txHash });
  });

  it('refuses through the API what the ledger refuses, with its code, and changes nothing', async () => {
    const id = devObjectId(4);
    const before = await objectOf(id);
    expect(
      await refusal(
        api.call('correctProperty', {
          params: { id },
          body: { objectVersion: before.version + 5, areaDm2: 1, reason: 'x' },
        }),
      ),
    ).toEqual({ status: 422, code: 'STALE_VERSION' });
    expect(
      await refusal(
        api.call('correctProperty', {
          params: { id },
          body: { objectVersion: before.version, address: before.address, reason: 'no change' },
        }),
      ),
    ).toEqual({ status: 422, code: 'CORRECTION_UNCHANGED' });
    expect(
      await refusal(
        api.call('correctProperty', { params: { id }, body: { objectVersion: before.version, reason: 'x' } as never }),
      ),
    ).toEqual({ status: 400, code: 'MALFORMED' });
    expect(await objectOf(id)).toEqual(before);
  });

  it.skipIf(!UI_BUILT)(
    'corrects an address from the Registry screen and follows it to final (Chromium, axe-clean)',
    { timeout: 120_000 },
    async () => {
      browser = await launchChromium();
      const { context, page } = await newPage(browser);
      try {
        const id = devObjectId(5);
        const url = await node.uiUrl();
        await openUi(page, url!);
        await settle(page, 'screen-overview');
        await goHash(page, `#/registry/${encodeURIComponent(id)}`);
        await page.getByTestId('registry-object').waitFor();
        await page.getByTestId('registry-correct').click();
        const form = page.getByTestId('registry-correct-form');
        await form.waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByTestId('registry-correct-address').fill('Minsk, Nezavisimosti 4, apt. 12');
        await page.getByTestId('registry-correct-reason').fill('Letter of the city council no. 88');
        await page.getByTestId('registry-correct-submit').click();
        const result = page.getByTestId('registry-correct-result');
        await result.waitFor();
        await expect
          .poll(async () => (await objectOf(id)).address, { timeout: 30_000 })
          .toBe('Minsk, Nezavisimosti 4, apt. 12');
        await page.getByText(en.txType['property.correct']).first().waitFor({ timeout: 15_000 });
        expect(pageErrors(page)).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
