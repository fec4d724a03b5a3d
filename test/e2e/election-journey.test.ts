// One election end to end in one Chromium, as the people in it see it (docs/elections.md C.2):
// the commission creates it on the CreateElection screen of a registrar's office (three trustees,
// any two decrypt); the trustees deal and the key is fixed (CLI: their screens come later); voter
// A makes a credential on the voter's page and the desk takes its QR from a camera; voter B gets a
// sealed printed credential at the desk and unlocks it on the page; A checks one encryption
// (Benaloh) and casts another, B casts and re-votes; the commission's turnout shows two voters; the
// commission closes on screen after the window; two of three trustees decrypt (CLI); the results on
// the commission's screens and on the voter's page equal the last ballots; and the export saved
// from the screen is accepted by `notary election verify`.
//
// Each person has a browser context of their own: the commission against node-1 (a registrar)
// with its token, each voter against the public gateway of an observer, with none.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../renderer/voter/i18n/en.js';
import { launchChromium } from '../support/browser.js';
import { ElectionFixture, type CredentialPair } from '../support/election-fixture.js';
import * as steps from './election-support.js';
import { failureScreenshot, openUi, pageErrors, ROOT } from './support.js';

const UI_BUILT =
  existsSync(join(ROOT, 'dist', 'renderer', 'index.html')) && existsSync(join(ROOT, 'dist', 'renderer', 'voter.html'));
const PASSPHRASE = 'voter A passphrase';
const MAYOR = { title: 'Mayor', choices: ['Ann', 'Boris', 'Chen'], min: 1, max: 1 };
const DISTRICTS = ['Minsk', 'Brest'];

let fixture: ElectionFixture;
let browser: Browser;
let commission: Page;
let voterA: Page;
let voterB: Page;
let video = '';
let dir = '';
/** The trustees dealing and the key being fixed, while the desk registers voters. */
let keyFixed: Promise<unknown> | undefined;

describe.skipIf(!UI_BUILT)('one election from creation to a verified export (Chromium)', () => {
  let aKey = '';
  let printed: { pair: CredentialPair; text: string };
  let bFirst = '';
  const problems: string[] = [];

  beforeAll(async () => {
    fixture = await ElectionFixture.start({
      phase: 'none',
      gateway: true,
      trustees: ['node-2', 'node-3', 'node-4'],
      threshold: 2,
      contests: [MAYOR],
      districts: DISTRICTS,
      log: (line) => console.log(line),
    });
    dir = join(fixture.dir, 'journey');
    await mkdir(dir, { recursive: true });
    // the desk's camera: blank until voter A holds up the QR (Chromium reads the file when the camera starts)
    video = join(dir, 'camera.y4m');
    await steps.grayVideo(new Uint8Array(16 * 16).fill(255), 16, 16, video);
    browser = await launchChromium(steps.fakeCameraArgs(video));
    commission = (await steps.personContext(browser)).page;
    voterA = (await steps.personContext(browser)).page;
    voterB = (await steps.personContext(browser)).page;
    // node-1 is a registrar office: it creates, registers and closes
    await openUi(commission, fixture.devnet.node('node-1').uiUrl);
  }, 600_000);

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    for (const [who, page] of [
      ['commission', commission],
      ['voter-A', voterA],
      ['voter-B', voterB],
    ] as const)
      if (page) await failureScreenshot(page, `journey ${who} ${task.name}`);
  });

  afterAll(async () => {
    await keyFixed?.catch(() => undefined);
    await browser?.close();
    await fixture?.stop();
  }, 120_000);

  it('the commission creates the election on its screen: three trustees, any two decrypt', async () => {
    await steps.createElectionOnScreen(commission, fixture, dir, {
      id: fixture.id,
      title: 'City elections 2026',
      contests: [MAYOR],
      districts: DISTRICTS,
      trustees: fixture.trustees,
      threshold: 2,
      // the window short, the deals long enough for three CLI processes on a loaded machine
      schedule: { dealsIn: 90, complaintsIn: 10, answersIn: 10, votingFor: 150 },
      check: (name) => steps.checkScreen(commission, name),
    });
    await steps.expectDealing(commission, fixture.id, '1, 2, 3');
    const view = await fixture.view();
    expect(view.phase).toBe('keygen');
    // the trustees deal, check their shares and fix the key (the fixture's keystores: the screen loaded them)
    keyFixed = fixture.fixKey();
    keyFixed.catch(() => undefined);
  }, 300_000);

  it("voter A makes a credential on the voter's page and the desk takes its QR from the camera", async () => {
    await voterA.goto(`${fixture.gateway!.gateway}/?election=${fixture.id}#/vote`);
    await voterA.getByTestId('election-title').waitFor();
    expect(await voterA.getByTestId('election-phase').getAttribute('data-phase')).toBe('keygen');
    await voterA.getByText(en.election.keyNotReady).waitFor();
    aKey = await steps.makeCredential(voterA, PASSPHRASE);
    problems.push(...(await steps.pageProblems(voterA, 'A: credential made')));
    // A holds the phone's screen up to the desk's camera
    await steps.imageVideo(voterA.getByTestId('credential-qr'), video);
    await steps.openDesk(commission, fixture.id, 'Minsk');
    await steps.scanWithCamera(commission, aKey);
  }, 180_000);

  it('voter B gets a sealed printed credential; the desk registers both in one transaction', async () => {
    printed = await steps.printCredential(commission);
    await steps.registerTaken(commission, 2);
    const view = await fixture.view();
    expect(view.roll.size).toBe(2);
    // B opens the sealed envelope at home and types what is printed inside into the page
    await voterB.goto(`${fixture.gateway!.gateway}/?election=${fixture.id}#/vote`);
    await voterB.getByTestId('credential-have').click();
    await voterB.getByTestId('unlock-text').fill(printed.text);
    expect(await voterB.getByTestId('unlock-passphrase').count()).toBe(0);
    await voterB.getByTestId('unlock-submit').click();
    const present = voterB.getByTestId('roll-present');
    await present.waitFor();
    expect(await present.getAttribute('data-election')).toBe(fixture.id);
    await voterB.getByText(en.credential.notSealed).waitFor();
    expect(await voterB.getByTestId('roll-last-vote').textContent()).toBe(en.credential.roll.notVoted);
  }, 180_000);

  it('once the key is fixed, voter A checks one encryption (Benaloh) and casts another', async () => {
    await keyFixed;
    await voterA.reload();
    await expect
      .poll(() => voterA.getByTestId('election-phase').getAttribute('data-phase'), { timeout: 60_000 })
      .toBe('voting');
    await steps.unlockKept(voterA, PASSPHRASE);
    await expect.poll(() => voterA.getByTestId('roll-present').textContent()).toContain('Minsk');
    await voterA.getByTestId('to-choices').click();
    await voterA.getByTestId('choice-0-1').click(); // Boris
    await voterA.getByTestId('choose-next').click();
    const checked = await steps.ballotTracker(voterA);
    await voterA.getByTestId('check-button').click();
    const result = voterA.getByTestId('check-result');
    await result.waitFor();
    expect(await result.getAttribute('data-passed')).toBe('true');
    expect(await voterA.getByTestId('checked-choices').textContent()).toContain('Boris');
    problems.push(...(await steps.pageProblems(voterA, 'A: checked')));
    // the checked encryption is spent: a fresh one is cast
    await voterA.getByTestId('encrypt-fresh').click();
    await expect.poll(async () => (await voterA.getByTestId('ballot-tracker').textContent())?.trim()).not.toBe(checked);
    await steps.castFinal(voterA);
    expect(await voterA.getByTestId('cast-later').textContent()).toBe(en.cast.later);
  }, 300_000);

  it('voter B casts, then votes again: the page says the later ballot replaces the earlier', async () => {
    await voterB.getByTestId('to-choices').click();
    await voterB.getByTestId('choice-0-0').click(); // Ann
    await voterB.getByTestId('choose-next').click();
    expect(await voterB.getByTestId('replaces-notice').count()).toBe(0);
    bFirst = await steps.castFinal(voterB);
    await voterB.getByTestId('vote-again').click();
    await voterB.getByTestId('choice-0-2').click(); // Chen
    await voterB.getByTestId('choose-next').click();
    const notice = voterB.getByTestId('replaces-notice');
    await notice.waitFor({ timeout: 60_000 });
    await expect.poll(() => notice.textContent()).toContain(bFirst.slice(0, 16));
    problems.push(...(await steps.pageProblems(voterB, 'B: replaces')));
    expect(await steps.castFinal(voterB)).not.toBe(bFirst);
  }, 300_000);

  it("the commission's turnout shows two voters and three ballots", async () => {
    await steps.expectTurnout(commission, fixture.id, { ballots: 3, voters: 2, district: 'Minsk' });
    await steps.checkScreen(commission, 'journey-turnout');
  }, 120_000);

  it('the commission closes the election on its screen once the window has ended', async () => {
    await steps.closeOnScreen(commission, fixture);
  }, 600_000);

  it('two of three trustees decrypt; both results pages show the last ballots; the export verifies', async () => {
    await steps.decryptAndTally(commission, fixture);
    // A's Boris; B's Chen (its Ann replaced)
    expect(await steps.screenCounts(commission, 0)).toEqual([0, 1, 1]);
    await steps.checkScreen(commission, 'journey-results');
    for (const voter of [voterA, voterB]) {
      await voter.getByTestId('nav-results').click();
      await voter.reload();
      await voter.getByTestId('results-contest-0').waitFor({ timeout: 60_000 });
      expect(await steps.pageResults(voter, 0)).toEqual(['Ann', '0', 'Boris', '1', 'Chen', '1']);
      await expect.poll(() => voter.getByTestId('results-trustees').textContent()).toContain('1, 2');
    }
    problems.push(...(await steps.pageProblems(voterA, 'A: results')));
    await steps.saveAndVerifyExport(commission, fixture, join(dir, `${fixture.id}.election-export`));
    expect(problems).toEqual([]);
    for (const page of [commission, voterA, voterB]) expect(pageErrors(page)).toEqual([]);
  }, 600_000);
});
