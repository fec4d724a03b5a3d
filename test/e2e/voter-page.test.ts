// The voter's page (renderer/voter.html) on a real devnet with an election in its voting phase:
// a credential made and sealed in the browser, registered by an office (the fixture stands in
// for the desk), locked and unlocked with its passphrase, choices within the contests' bounds,
// a Benaloh check of one encryption (its tracker unchanged while a neighbour's ballot arrives;
// also checked on a second device), a fresh encryption cast and followed to final, found on the
// ballot board, a re-vote that says it replaces the first, turnout, en/ru/be, and the results
// once the trustees decrypt. Every step is axe-clean and has no horizontal overflow at 360×740
// and 1280×800.
//
// The page is served as voters get it: by the public election gateway of an observer node
// (`notary start --gateway`), at its `/`, with no token; the gateway serves nothing but the
// page and the public election routes.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { be } from '../../renderer/voter/i18n/be.js';
import { en } from '../../renderer/voter/i18n/en.js';
import { ru } from '../../renderer/voter/i18n/ru.js';
import { sodiumGroup } from '../../shared/election/crypto/index.js';
import { checkBallotRecord, parseBallotCheckRecord } from '../../shared/election/voter/ballot-check-record.js';
import { openCredential, readCredentialText } from '../../shared/election/voter/credential-file.js';
import { launchChromium } from '../support/browser.js';
import { ElectionFixture } from '../support/election-fixture.js';
import {
  ballotTracker,
  castFinal,
  chooseLanguage,
  DESKTOP,
  makeCredential,
  pageProblems,
  pageResults,
  personContext as voterContext,
  publicLanguages,
} from './election-support.js';
import { failureScreenshot, pageErrors, ROOT, saveScreenshot } from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'voter.html'));
const PASSPHRASE = 'my voting passphrase';

let fixture: ElectionFixture;
let browser: Browser;
let origin: string;

describe.skipIf(!UI_BUILT)("the voter's page on a devnet election (Chromium)", () => {
  beforeAll(async () => {
    fixture = await ElectionFixture.start({ gateway: true, votingSeconds: 240, log: (line) => console.log(line) });
    origin = fixture.gateway!.gateway;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await fixture?.stop();
  }, 120_000);

  it(
    'makes, registers and unlocks a credential, checks one encryption, casts another to final, finds it on the board, re-votes, and reads the results',
    { timeout: 900_000 },
    async () => {
      const { context, page } = await voterContext(browser);
      const problems: string[] = [];
      try {
        await page.goto(`${origin}/?election=${fixture.id}#/vote`);
        await page.getByTestId('election-title').waitFor();
        expect(await page.getByTestId('election-phase').getAttribute('data-phase')).toBe('voting');
        problems.push(...(await pageProblems(page, 'start')));

        // 1. a credential made in the browser, sealed with a passphrase, offered as a file
        await page.getByTestId('credential-make').click();
        await page.getByTestId('make-passphrase').fill(PASSPHRASE);
        await page.getByTestId('make-passphrase-repeat').fill(`${PASSPHRASE}x`);
        await page.getByText(en.credential.passphraseMismatch).waitFor();
        expect(await page.getByTestId('make-seal').isDisabled()).toBe(true);
        const publicKey = await makeCredential(page, PASSPHRASE);
        await page.getByRole('img', { name: en.credential.qrAlt }).waitFor();
        problems.push(...(await pageProblems(page, 'credential made')));
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByTestId('credential-download').click(),
        ]);
        const sealedText = await readFile((await download.path())!, 'utf8');
        const read = readCredentialText(sealedText);
        expect(read.kind).toBe('sealed');
        // the downloaded file opens, outside the browser, to the key the page shows
        if (read.kind === 'sealed') expect((await openCredential(read.file, PASSPHRASE)).publicKey).toBe(publicKey);
        expect(sealedText).not.toMatch(/secretKey/);

        // 2. not on the roll until the desk registers it
        await page.getByTestId('credential-continue').click();
        await page.getByTestId('roll-absent').waitFor();
        await fixture.register([publicKey], 'Minsk');
        await page.getByTestId('roll-recheck').click();
        const present = page.getByTestId('roll-present');
        await present.waitFor();
        expect(await present.getAttribute('data-election')).toBe(fixture.id);
        await expect.poll(() => present.textContent()).toContain('Minsk');
        expect(await page.getByTestId('roll-last-vote').textContent()).toBe(en.credential.roll.notVoted);

        // 3. locked, then unlocked from this browser's sealed copy; a wrong passphrase is refused
        await page.getByTestId('credential-lock').click();
        await page.getByTestId('kept-unlock').first().click();
        await page.getByTestId('unlock-passphrase').fill('not my passphrase');
        await page.getByTestId('unlock-submit').click();
        await page.getByText(en.credential.errors.CREDENTIAL_FILE_DOES_NOT_OPEN).waitFor({ timeout: 60_000 });
        problems.push(...(await pageProblems(page, 'unlock refused')));
        await page.getByTestId('unlock-passphrase').fill(PASSPHRASE);
        await page.getByTestId('unlock-submit').click();
        await page.getByTestId('roll-present').waitFor({ timeout: 60_000 });

        // 4. choices within the contests' bounds (Mayor: exactly 1; Council: 0 to 2)
        await page.getByTestId('to-choices').click();
        await page.getByTestId('choose-step').waitFor();
        await page.getByTestId('choose-next').click();
        await page.getByTestId('selection-problems').waitFor();
        await expect.poll(() => page.getByTestId('selection-problems').textContent()).toContain('Mayor');
        await page.getByTestId('choice-0-1').click(); // Boris
        for (const b of [0, 2, 3]) await page.getByTestId(`choice-1-${b}`).click(); // three of at most two
        await page.getByTestId('choose-next').click();
        await expect.poll(() => page.getByTestId('selection-problems').textContent()).toContain('Council');
        await page.getByTestId('choice-1-3').click(); // Dana and Fedor
        problems.push(...(await pageProblems(page, 'choices')));
        await page.getByTestId('choose-next').click();

        // 5. encrypted with its tracker; checked instead of cast (Benaloh), then thrown away
        const checkedTracker = await ballotTracker(page);
        expect(await page.getByTestId('replaces-notice').count()).toBe(0);
        // ... and it stays while other voters' ballots arrive: the page refreshes its view of the
        // election (turnout, totals) every few seconds, and a refreshed view must not re-encrypt
        // under a voter who has read the tracker (a neighbour in Brest votes Ann meanwhile)
        {
          const neighbour = await fixture.credentials(1, 'neighbour');
          const key = neighbour.pairs[0]!.publicKey;
          await fixture.register([key], 'Brest');
          const refreshed = page.waitForResponse(
            async (response) =>
              new URL(response.url()).pathname === `/api/v1/elections/${fixture.id}` &&
              ((await response.json().catch(() => ({}))) as { ballots?: number }).ballots === 1,
            { timeout: 60_000 },
          );
          await fixture.cast(neighbour.file, [{ credential: key, choices: [[0], []] }]);
          await refreshed;
          // a re-encryption would show its progress at once and a new tracker within a second
          await page.waitForTimeout(1_000);
          expect(await page.getByTestId('encrypt-done').count()).toBe(1);
          expect((await page.getByTestId('ballot-tracker').textContent())!.trim()).toBe(checkedTracker);
        }
        await page.setViewportSize(DESKTOP);
        await saveScreenshot(page, 'voter-page');
        problems.push(...(await pageProblems(page, 'encrypted')));
        await page.getByTestId('check-button').click();
        const result = page.getByTestId('check-result');
        await result.waitFor();
        expect(await result.getAttribute('data-passed')).toBe('true');
        const words = (await page.getByTestId('checked-choices').textContent())!;
        expect(words).toContain('Boris');
        expect(words).toContain('Dana, Fedor');
        const recordText = (await page.getByTestId('check-record').textContent())!;
        const record = parseBallotCheckRecord(recordText);
        expect(record.tracker).toBe(checkedTracker);
        expect(record.votes).toEqual([
          [0, 1, 0],
          [1, 0, 1, 0],
        ]);
        // the record verifies outside the browser against the election the node publishes
        const view = await fetch(`${origin}/api/v1/elections/${fixture.id}`).then(
          (r) => r.json() as Promise<{ id: string; publicKey: string; contests: never[] }>,
        );
        expect(checkBallotRecord(await sodiumGroup(), record, view).votes).toEqual(record.votes);
        problems.push(...(await pageProblems(page, 'checked')));

        // ... and on a second device: the page's "Check a ballot" with the record pasted
        {
          const second = await voterContext(browser);
          await second.page.goto(`${origin}/#/check`);
          await second.page.getByTestId('check-input').fill(recordText);
          await second.page.getByTestId('check-run').click();
          await second.page.getByTestId('check-page-passed').waitFor();
          await expect.poll(() => second.page.getByTestId('check-page-passed').textContent()).toContain('Dana, Fedor');
          // one changed digit of the randomness and the check fails
          const changed = JSON.parse(recordText) as { randomness: string[][] };
          const r = changed.randomness[0]![1]!;
          changed.randomness[0]![1] = `${r.slice(0, 10)}${r[10] === '0' ? '1' : '0'}${r.slice(11)}`;
          await second.page.getByTestId('check-input').fill(JSON.stringify(changed));
          await second.page.getByTestId('check-run').click();
          await second.page.getByTestId('error-alert').waitFor();
          problems.push(...(await pageProblems(second.page, 'second device')));
          expect(pageErrors(second.page)).toEqual([]);
          await second.context.close();
        }

        // 6. a fresh encryption, cast and followed to final
        await page.getByTestId('encrypt-fresh').click();
        const castTracker = await castFinal(page);
        expect(castTracker).not.toBe(checkedTracker);
        expect(await page.getByTestId('cast-later').textContent()).toBe(en.cast.later);
        problems.push(...(await pageProblems(page, 'cast final')));

        // 7. on the ballot board; the checked ballot never is
        await page.getByTestId('cast-board-link').click();
        await page.locator(`[data-testid="board-row"][data-tracker="${castTracker}"]`).waitFor();
        expect(
          await page.locator(`[data-testid="board-row"][data-tracker="${castTracker}"]`).getAttribute('data-replaced'),
        ).toBe('false');
        problems.push(...(await pageProblems(page, 'board')));
        await page.getByTestId('board-search').fill(checkedTracker.slice(0, 12));
        await page.getByText(en.board.none).waitFor();

        // 8. a re-vote says it replaces the first, and the board marks the first replaced
        await page.getByTestId('nav-vote').click();
        await page.getByTestId('credential-have').or(page.getByTestId('kept-unlock').first()).first().waitFor();
        await page.getByTestId('kept-unlock').first().click();
        await page.getByTestId('unlock-passphrase').fill(PASSPHRASE);
        await page.getByTestId('unlock-submit').click();
        await expect
          .poll(() => page.getByTestId('roll-last-vote').textContent(), { timeout: 60_000 })
          .toContain(castTracker.slice(0, 16));
        await page.getByTestId('to-choices').click();
        await page.getByTestId('choice-0-2').click(); // Chen
        await page.getByTestId('choose-next').click();
        await page.getByTestId('replaces-notice').waitFor({ timeout: 60_000 });
        await expect.poll(() => page.getByTestId('replaces-notice').textContent()).toContain(castTracker.slice(0, 16));
        const revoteTracker = await castFinal(page);
        await page.getByTestId('cast-board-link').click();
        await page.locator(`[data-testid="board-row"][data-tracker="${revoteTracker}"]`).waitFor();
        await page.getByTestId('board-search').fill(castTracker.slice(0, 8));
        const first = page.locator(`[data-testid="board-row"][data-tracker="${castTracker}"]`);
        await first.waitFor();
        expect(await first.getAttribute('data-replaced')).toBe('true');
        await first.getByText(en.board.replaced).waitFor();

        // 9. turnout
        await page.getByTestId('nav-turnout').click();
        const minsk = page.locator('[data-testid="turnout-row"][data-district="Minsk"]');
        await minsk.waitFor();
        expect(await minsk.locator('td').nth(2).textContent()).toBe('1');
        problems.push(...(await pageProblems(page, 'turnout')));

        // 10. every string in Russian and Belarusian
        for (const { code, label, table } of publicLanguages({ en, ru, be })) {
          await chooseLanguage(page, code, label);
          await expect.poll(() => page.getByTestId('nav-turnout').textContent()).toBe(table.nav.turnout);
          await page.getByRole('heading', { name: table.turnout.heading }).waitFor();
          if (code !== 'en') problems.push(...(await pageProblems(page, `turnout in ${code}`)));
        }

        // 11. the results once the window ends and two of three trustees decrypt
        await page.getByTestId('nav-results').click();
        await page.getByTestId('results-pending').waitFor();
        await fixture.waitForWindowEnd();
        await fixture.close();
        await fixture.decrypt();
        await fixture.tally();
        await page.reload();
        await page.getByTestId('results-contest-0').waitFor({ timeout: 60_000 });
        // this voter's last ballot (Chen) and the neighbour's (Ann)
        expect(await pageResults(page, 0)).toEqual(['Ann', '1', 'Boris', '0', 'Chen', '1']);
        expect(await pageResults(page, 1)).toEqual(['Dana', '0', 'Egor', '0', 'Fedor', '0', 'Galina', '0']);
        await expect.poll(() => page.getByTestId('results-trustees').textContent()).toContain('1, 2');
        const exportHref = await page.getByTestId('results-export').getAttribute('href');
        const exported = await fetch(new URL(exportHref!, `${origin}/`));
        expect(exported.status).toBe(200);
        await page.setViewportSize(DESKTOP);
        await saveScreenshot(page, 'voter-results');
        problems.push(...(await pageProblems(page, 'results')));

        expect(problems).toEqual([]);
        expect(pageErrors(page)).toEqual([]);
      } catch (error) {
        await failureScreenshot(page, 'voter-page');
        throw error;
      } finally {
        await context.close();
      }
    },
  );
});
