// The citizen's verification page (renderer/verify.html, issue 18) on a real devnet: three
// validators and an observer office that countersigns checkpoints as a witness and serves the
// public gateway. In Chromium the page is loaded from the gateway; it imports the devnet's
// genesis document, one checkpoint from the node's address and another from a bundle file (the
// same bundle with a validator's or the witness's signature changed is refused, naming which). Then
// the network is cut (the browser offline, the gateway's node killed) and the page reloads from
// its service worker with its checkpoints. A certificate's QR code, drawn as an image and opened
// through the page and then held to its camera (Chromium's fake camera playing a video of it),
// passes and names the owner; the same code with a changed owner byte or path byte fails as
// altered, with another height as a checkpoint to import, and re-encoded for another chain as
// another registry. The certificate's file passes, checked with libsodium's ed25519 (its chunk
// kept by the service worker on the first visit, decision #75) and no CSP violation.
// Every screen is axe-clean and does not overflow at 360×740 and 1280×800; en, ru and be.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { be } from '../../renderer/verify/i18n/be.js';
import { en } from '../../renderer/verify/i18n/en.js';
import { ru } from '../../renderer/verify/i18n/ru.js';
import type { CheckpointSummary, PropertyView } from '../../shared/api/index.js';
import { decodeCompactProof, encodeCompactProof } from '../../shared/checkpoint/index.js';
import { hexToBytes } from '../../shared/codec/index.js';
import { launchChromium } from '../support/browser.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import {
  chooseLanguage,
  fakeCameraArgs,
  pageProblems,
  personContext,
  publicLanguages,
  qrVideo,
} from './election-support.js';
import { failureScreenshot, goHash, pageErrors, ROOT, saveScreenshot, TMP_DIR } from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'verify.html'));
const EVERY_MS = 15_000;
const VIDEO = join(TMP_DIR, 'verify-page-camera.y4m');
const WITNESS_NAME = 'Devnet observer-1';

let devnet: Devnet;
let observer: NodeProcess;
let browser: Browser;

const bytesOf = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/** The QR code of `bytes` (byte mode, level M) as a PNG, as a phone's photo of a certificate would show it. */
function qrPng(bytes: Uint8Array): Promise<Buffer> {
  return QRCode.toBuffer([{ data: Buffer.from(bytes), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
    margin: 4,
    scale: 6,
  });
}

async function signedCheckpoints(node: NodeProcess): Promise<CheckpointSummary[]> {
  const { status, body } = await node.request<CheckpointSummary[]>('GET', '/checkpoints');
  expect(status).toBe(200);
  return body.filter((entry) => entry.validatorsSigned === 3 && entry.witnesses === 1);
}

describe.skipIf(!UI_BUILT)("the citizen's verification page on a devnet (Chromium)", () => {
  beforeAll(async () => {
    devnet = await Devnet.create({ validators: 3, observers: 1, objects: 40, chainCheckpointEveryMs: EVERY_MS });
    observer = devnet.node('observer-1');
    await Promise.all([
      ...['node-1', 'node-2', 'node-3'].map((name) => devnet.node(name).start()),
      observer.start(['--gateway', '127.0.0.1:0']),
    ]);
    expect(observer.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    browser = await launchChromium(fakeCameraArgs(VIDEO)); // the video is written before the camera starts
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await devnet?.stop();
  }, 120_000);

  it('serves the page, its manifest and service worker, and the checkpoints publicly; the local API serves the page too', async () => {
    const gateway = observer.gateway;
    const page = await fetch(`${gateway}/verify.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval';");
    // the voter's page beside it compiles no WebAssembly
    expect((await fetch(`${gateway}/`)).headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(await page.text()).toContain('verify.webmanifest');
    const manifest = await fetch(`${gateway}/verify.webmanifest`);
    expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
    expect((await manifest.json()) as { start_url: string }).toMatchObject({ start_url: './verify.html' });
    const worker = await fetch(`${gateway}/verify-sw.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    const list = await fetch(`${gateway}/api/v1/checkpoints`);
    expect(list.status).toBe(200);
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
    // read-only checkpoints only: the proofs, the files and everything else stay absent
    expect((await fetch(`${gateway}/api/v1/proofs/${devnet.genesis.properties![0]!.id}`)).status).toBe(404);
    expect((await fetch(`${gateway}/api/v1/status`)).status).toBe(404);
    const local = await fetch(`${observer.url.replace(/\/api\/v1$/, '')}/verify.html`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('verify.webmanifest');
  });

  it(
    'imports the genesis and checkpoints, reloads offline from its service worker, and checks genuine, altered and foreign QR codes and a certificate file',
    { timeout: 600_000 },
    async () => {
      const { context, page } = await personContext(browser);
      const problems: string[] = [];
      // What the page does that it does not show, seen from outside it: the policy's refusals, and
      // the calls into WebAssembly modules (libsodium's only, on this page), counted by wrapping
      // the instance's exports before the page's scripts run.
      await context.addInitScript(() => {
        const probe = { violations: [] as string[], wasmCalls: 0 };
        (window as unknown as { probe: typeof probe }).probe = probe;
        document.addEventListener('securitypolicyviolation', (event) =>
          probe.violations.push(`${event.violatedDirective} ${event.blockedURI}`),
        );
        const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (
          ...args: unknown[]
        ) => Promise<WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource>;
        const counted = (instance: WebAssembly.Instance) => ({
          exports: Object.fromEntries(
            Object.entries(instance.exports).map(([name, value]) => [
              name,
              typeof value === 'function'
                ? (...args: unknown[]) => {
                    probe.wasmCalls++;
                    return (value as (...args: unknown[]) => unknown)(...args);
                  }
                : value,
            ]),
          ),
        });
        (WebAssembly as { instantiate: unknown }).instantiate = async (...args: unknown[]) => {
          const result = await instantiate(...args);
          return result instanceof WebAssembly.Instance
            ? counted(result)
            : { module: result.module, instance: counted(result.instance) };
        };
      });
      const policyMessages: string[] = [];
      page.on('console', (message) => {
        if (/content security policy/i.test(message.text())) policyMessages.push(message.text());
      });
      const sodiumChunk: { ok: boolean; fromWorker: boolean }[] = [];
      page.on('response', (response) => {
        if (/\/assets\/sodium-verifier-[\w-]+\.js$/.test(response.url()))
          sodiumChunk.push({ ok: response.ok(), fromWorker: response.fromServiceWorker() });
      });
      const probe = () =>
        page.evaluate(() => (window as unknown as { probe: { violations: string[]; wasmCalls: number } }).probe);
      const object = devnet.genesis.properties![0]!;
      const owner = object.owners[0]!.key;
      try {
        // two checkpoints signed by the three validators and the witness; the newest proves the object
        const signed = await waitFor(
          'two checkpoints signed by 3 validators and the witness',
          async () => {
            const list = await signedCheckpoints(observer);
            return list.length >= 2 ? list : undefined;
          },
          120_000,
        );
        const proof = (await observer.request<{ qr: string; height: number }>('GET', `/proofs/${object.id}`)).body;
        const height = proof.height;
        await waitFor(`checkpoint ${height} signed by all`, async () =>
          (await signedCheckpoints(observer)).some((entry) => entry.height === height) ? true : undefined,
        );
        const otherHeight = signed.find((entry) => entry.height !== height)!.height;
        const otherBundle = (await observer.request('GET', `/checkpoints/${otherHeight}/bundle`)).body;
        const certificate = (await observer.request<PropertyView>('GET', `/properties/${object.id}`)).body.certificate;
        const genuine = bytesOf(proof.qr);

        // 1. the page from the gateway; no registry yet
        await page.goto(`${observer.gateway}/verify.html`);
        await page.getByTestId('trust').waitFor();
        expect(await page.getByTestId('verify-main').getAttribute('data-state')).toBe('none');
        problems.push(...(await pageProblems(page, 'no registry')));

        // 2. the registry's genesis document
        await page.locator('[data-testid="trust-file"] input[type="file"]').setInputFiles({
          name: 'genesis.json',
          mimeType: 'application/json',
          buffer: Buffer.from(JSON.stringify(devnet.genesis)),
        });
        const trusted = page.getByTestId('trust-current');
        await trusted.waitFor();
        expect(await trusted.getAttribute('data-chain')).toBe(devnet.genesis.chainId);
        expect(await trusted.textContent()).toContain(WITNESS_NAME);
        problems.push(...(await pageProblems(page, 'registry imported')));

        // 3. one checkpoint from the node's address (the page's own origin), another from a file
        await page.getByTestId('nav-checkpoints').click();
        await page.getByTestId('checkpoints').waitFor();
        expect(await page.getByTestId('node-url').inputValue()).toBe(observer.gateway);
        await page.getByTestId('node-find').click();
        await page.locator(`[data-testid="available-row"][data-height="${height}"]`).waitFor();
        await page
          .locator(`[data-testid="available-row"][data-height="${height}"] [data-testid="available-import"]`)
          .click();
        await page.locator(`[data-testid="held-row"][data-height="${height}"]`).waitFor();
        await page.locator('[data-testid="bundle-file"] input[type="file"]').setInputFiles({
          name: `checkpoint-${otherHeight}.json`,
          mimeType: 'application/json',
          buffer: Buffer.from(JSON.stringify(otherBundle)),
        });
        await page.locator(`[data-testid="held-row"][data-height="${otherHeight}"]`).waitFor();
        const row = page.locator(`[data-testid="held-row"][data-height="${height}"]`);
        expect(await row.textContent()).toContain('3 of 3');
        expect(await row.getByTestId('held-witnesses').textContent()).toBe(WITNESS_NAME);
        problems.push(...(await pageProblems(page, 'checkpoints')));

        // a bundle file that is not one is refused with a sentence
        await page.locator('[data-testid="bundle-file"] input[type="file"]').setInputFiles({
          name: 'not-a-checkpoint.json',
          mimeType: 'application/json',
          buffer: Buffer.from(JSON.stringify({ kind: 'checkpoint-bundle', version: 1 })),
        });
        await expect.poll(() => page.getByTestId('checkpoints-message').getAttribute('data-ok')).toBe('false');
        expect(await page.getByTestId('checkpoints-message').textContent()).toContain(
          en.checkpoints.errors.NOT_A_BUNDLE,
        );
        // a bundle with a validator's or the witness's signature changed is refused, saying which
        type Signed = { checkpoint: { signatures: { signature: string }[]; witnesses: { signature: string }[] } };
        const forgeries: [keyof typeof en.checkpoints.errors, (bundle: Signed) => void][] = [
          [
            'BAD_SIGNATURE',
            (bundle) => (bundle.checkpoint.signatures[0]!.signature = bundle.checkpoint.signatures[1]!.signature),
          ],
          [
            'BAD_WITNESS',
            (bundle) => (bundle.checkpoint.witnesses[0]!.signature = bundle.checkpoint.signatures[0]!.signature),
          ],
        ];
        for (const [code, forge] of forgeries) {
          const forged = structuredClone(otherBundle) as Signed;
          forge(forged);
          await page.locator('[data-testid="bundle-file"] input[type="file"]').setInputFiles({
            name: `forged-${code}.json`,
            mimeType: 'application/json',
            buffer: Buffer.from(JSON.stringify(forged)),
          });
          await expect
            .poll(() => page.getByTestId('checkpoints-message').textContent())
            .toContain(en.checkpoints.errors[code]);
        }

        // 4. the network cut: the page reloads from its service worker and keeps its checkpoints
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
        // libsodium's chunk, loaded in the background after the first paint
        expect(sodiumChunk.some((response) => response.ok)).toBe(true);
        expect((await probe()).wasmCalls).toBeGreaterThan(0);
        expect((await probe()).violations).toEqual([]);
        // ... and kept by the worker, though fetched before it controlled the page (the browser's
        // HTTP cache would answer offline too, so the worker's cache is asked)
        await expect
          .poll(() =>
            page.evaluate(async () => {
              for (const name of await caches.keys())
                for (const request of await (await caches.open(name)).keys())
                  if (/\/assets\/sodium-verifier-[\w-]+\.js$/.test(request.url)) return true;
              return false;
            }),
          )
          .toBe(true);
        sodiumChunk.length = 0;
        await context.setOffline(true);
        await observer.kill();
        await page.reload();
        const main = page.getByTestId('verify-main');
        await expect.poll(() => main.getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
        expect(await main.getAttribute('data-held')).toBe('2');
        // offline, the chunk comes from the worker's cache and libsodium starts again
        await expect.poll(() => sodiumChunk).toEqual([{ ok: true, fromWorker: true }]);
        await expect.poll(async () => (await probe()).wasmCalls).toBeGreaterThan(0);

        // 5. a genuine QR code, from a photo: the owner, the block, 3 of 3 validators, the witness
        await goHash(page, '#/check');
        await page.getByTestId('check').waitFor();
        const outcome = page.getByTestId('check-outcome');
        /** Opens a QR image and waits for the page's next verdict (not the one it showed before). */
        const openQr = async (name: string, bytes: Uint8Array) => {
          const before = Number(await outcome.getAttribute('data-checked'));
          await page.locator('[data-testid="check-image"] input[type="file"]').setInputFiles({
            name,
            mimeType: 'image/png',
            buffer: await qrPng(bytes),
          });
          await expect.poll(async () => Number(await outcome.getAttribute('data-checked'))).toBeGreaterThan(before);
          const result = page.getByTestId('result');
          await result.waitFor();
          return result;
        };
        let result = await openQr('certificate.png', genuine);
        expect(await result.getAttribute('data-ok')).toBe('true');
        expect(await result.getAttribute('data-source')).toBe('compact');
        expect(await page.getByTestId('result-object').getAttribute('data-id')).toBe(object.id);
        expect(await page.getByTestId('result-owner').getAttribute('data-key')).toBe(owner);
        expect(await page.getByTestId('result-share').textContent()).toBe(en.result.whole);
        expect(await page.getByTestId('result-area').textContent()).toContain(String(object.areaDm2 / 100));
        expect(await page.getByTestId('result-as-of').getAttribute('data-height')).toBe(String(height));
        expect(await page.getByTestId('result-validators').textContent()).toBe(
          en.result.validators.replace('{{signed}}', '3').replace('{{total}}', '3'),
        );
        expect(await page.getByTestId('result-witnesses').textContent()).toContain(WITNESS_NAME);
        await page.setViewportSize({ width: 1280, height: 800 });
        await saveScreenshot(page, 'verify-page');
        problems.push(...(await pageProblems(page, 'genuine QR')));

        // 5b. the same code held to the phone's camera (a fake camera playing a video of it)
        await mkdir(TMP_DIR, { recursive: true });
        await qrVideo(genuine, VIDEO);
        const beforeCamera = Number(await outcome.getAttribute('data-checked'));
        await page.getByTestId('camera-start').click();
        await expect
          .poll(async () => Number(await outcome.getAttribute('data-checked')), { timeout: 30_000 })
          .toBeGreaterThan(beforeCamera);
        expect(await page.getByTestId('result').getAttribute('data-ok')).toBe('true');
        expect(await page.getByTestId('result-owner').getAttribute('data-key')).toBe(owner);
        await page.getByTestId('camera-stop').click();
        await page.getByTestId('camera-start').waitFor();

        // 6. a changed byte of the owner's key, then of the path: altered
        const ownerAt = Buffer.from(genuine).indexOf(Buffer.from(hexToBytes(owner)));
        expect(ownerAt).toBeGreaterThan(0);
        const changedOwner = genuine.slice();
        changedOwner[ownerAt + 5]! ^= 0x10;
        result = await openQr('changed-owner.png', changedOwner);
        expect(await result.getAttribute('data-code')).toBe('INVALID_PROOF');
        expect(await page.getByTestId('result-reason').textContent()).toBe(en.result.reasons.INVALID_PROOF);
        problems.push(...(await pageProblems(page, 'altered QR')));
        const changedPath = genuine.slice();
        changedPath[changedPath.length - 3]! ^= 0x01;
        result = await openQr('changed-path.png', changedPath);
        expect(await result.getAttribute('data-code')).toBe('INVALID_PROOF');

        // 7. another height: a checkpoint the page does not hold, named; another chain: another registry
        const decoded = decodeCompactProof(genuine);
        const statement = { ...decoded.fields, owners: decoded.owners! };
        const reencoded = (chainId: string, at: number) =>
          encodeCompactProof({ chainId, height: at, statement, proof: decoded.proof });
        result = await openQr('later.png', reencoded(devnet.genesis.chainId, height + 1_000));
        expect(await result.getAttribute('data-code')).toBe('UNKNOWN_CHECKPOINT');
        expect(await page.getByTestId('result-reason').textContent()).toContain(String(height + 1_000));
        result = await openQr('foreign.png', reencoded('another-registry', height));
        expect(await result.getAttribute('data-code')).toBe('OTHER_CHAIN');
        expect(await page.getByTestId('result-reason').textContent()).toBe(
          en.result.reasons.OTHER_CHAIN.replace('{{chainId}}', 'another-registry'),
        );
        problems.push(...(await pageProblems(page, 'other registry')));

        // 8. the certificate's file: the record and the block's commit, against the genesis
        // validators, their signatures checked by libsodium (calls into its WebAssembly)
        const beforeFile = Number(await outcome.getAttribute('data-checked'));
        const wasmCallsBefore = (await probe()).wasmCalls;
        await page.locator('[data-testid="check-file"] input[type="file"]').setInputFiles({
          name: 'certificate.json',
          mimeType: 'application/json',
          buffer: Buffer.from(JSON.stringify(certificate)),
        });
        await expect.poll(async () => Number(await outcome.getAttribute('data-checked'))).toBeGreaterThan(beforeFile);
        expect(await page.getByTestId('result').getAttribute('data-source')).toBe('certificate');
        expect(await page.getByTestId('result').getAttribute('data-ok')).toBe('true');
        expect(await page.getByTestId('result-owner').getAttribute('data-key')).toBe(owner);
        expect((await probe()).wasmCalls).toBeGreaterThan(wasmCallsBefore);

        // 9. every string in Russian and Belarusian
        for (const { code, label, table } of publicLanguages({ en, ru, be })) {
          await chooseLanguage(page, code, label);
          await expect.poll(() => page.getByTestId('nav-checkpoints').textContent()).toBe(table.nav.checkpoints);
          await page.getByRole('heading', { name: table.check.heading, exact: true }).waitFor();
          expect(await page.getByTestId('result').textContent()).toContain(table.result.passed);
          if (code !== 'en') problems.push(...(await pageProblems(page, `result in ${code}`)));
        }

        expect(problems).toEqual([]);
        expect(pageErrors(page)).toEqual([]);
        expect((await probe()).violations).toEqual([]);
        expect(policyMessages).toEqual([]);
      } catch (error) {
        await failureScreenshot(page, 'verify-page');
        throw error;
      } finally {
        await context.close();
      }
    },
  );
});
