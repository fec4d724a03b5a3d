// The trustees' ceremony through their own nodes (docs/elections.md C.7): on a devnet of four
// validator processes, each trustee's node makes its transport key, deals and checks its shares
// through its trustee routes, keeping its keystore in DATA/trustees/<id>.json; the key is fixed
// through the new office route, voters cast, the window closes, two trustees decrypt through
// their nodes, and the counts published through the tally route equal a plain count. A wrong
// passphrase and a second decryption are refused without a transaction.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElectionFixture } from '../support/election-fixture.js';

let election: ElectionFixture;
const ID = 'trustee-2026';
const CONTESTS = [{ title: 'Mayor', choices: ['Ann', 'Boris', 'Chen'], min: 1, max: 1 }];
const CHOICES = [0, 2, 2, 1, 2];

beforeAll(async () => {
  election = await ElectionFixture.start({
    id: ID,
    contests: CONTESTS,
    trusteesOn: 'node',
    votingSeconds: 45,
    log: (line) => console.log(line),
  });
}, 900_000);

afterAll(async () => {
  await election?.stop();
});

describe("the trustees' steps through their own nodes", () => {
  it('keeps each keystore in the node data folder, and the key made from the routes is fixed', async () => {
    expect(election.keygen?.dealt).toEqual([1, 2, 3]);
    for (const name of election.trustees) {
      const file = JSON.parse(
        await readFile(join(election.devnet.node(name).info.dataDir, 'trustees', `${ID}.json`), 'utf8'),
      ) as { election: string; transportKey: string };
      expect(file.election).toBe(ID);
      const { body } = await election.devnet
        .node(name)
        .request<{ keystore: boolean; transportKey: string }>('GET', `/elections/${ID}/trustee`);
      expect(body).toEqual({ election: ID, keystore: true, transportKey: file.transportKey });
    }
    // every check found every share good: no complaint
    for (const check of election.keygen!.checks) expect(JSON.parse(check).complaints).toEqual([]);
    expect((await election.view()).phase).toBe('voting');
  });

  it('decrypts through the route after the close, refusing a wrong passphrase and a second decryption', async () => {
    const { file, pairs } = await election.credentials(CHOICES.length);
    await election.register(pairs.map((pair) => pair.publicKey));
    await election.cast(
      file,
      pairs.map((pair, k) => ({ credential: pair.publicKey, choices: [[CHOICES[k]!]] })),
    );
    await election.waitForWindowEnd();
    await election.close();
    const trustee = election.devnet.node('node-2');
    const wrong = await trustee.request<{ error: { code: string } }>('POST', `/elections/${ID}/trustee/decrypt`, {
      passphrase: 'not the passphrase',
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([422, 'WRONG_PASSPHRASE']);
    const short = await trustee.request<{ error: { code: string } }>('POST', `/elections/${ID}/trustee/decrypt`, {
      passphrase: 'short',
    });
    expect(short.status).toBe(400);
    expect((await election.view()).decrypted).toEqual([]);
    await election.decrypt(['node-2', 'node-3']);
    const again = await trustee.request<{ error: { code: string } }>('POST', `/elections/${ID}/trustee/decrypt`, {
      passphrase: ElectionFixture.TRUSTEE_PASSPHRASE,
    });
    expect([again.status, again.body.error.code]).toEqual([409, 'TRUSTEE_ALREADY_DECRYPTED']);
    await election.officeStep('node-1', 'tally');
    const view = await election.view();
    expect(view.phase).toBe('final');
    expect(view.counts).toEqual([[1, 1, 3]]);
  }, 900_000);
});
