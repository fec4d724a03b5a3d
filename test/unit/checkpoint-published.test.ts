// The published form of a checkpoint (renderer/src/screens/checkpoints/published.ts): the lines an
// office prints in a newspaper name the chain, the block, its UTC time, the roots and the
// checkpoint id, in every language with the same values.
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import type { CheckpointBody } from '../../shared/checkpoint/index.js';
import { be } from '../../renderer/src/i18n/be.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ru } from '../../renderer/src/i18n/ru.js';
import { publishedForm, utcTime } from '../../renderer/src/screens/checkpoints/published.js';

const body: CheckpointBody = {
  chainId: 'by-registry-1',
  height: 1440,
  timeMs: Date.UTC(2026, 11, 6, 0, 0, 5, 250),
  blockHash: 'ab'.repeat(32),
  stateRoot: 'cd'.repeat(32),
  validatorsHash: 'ef'.repeat(32),
  statementRoot: '12'.repeat(32),
  statements: 40,
  bucketBits: 0,
};
const id = '34'.repeat(32);

async function translator(language: 'en' | 'ru' | 'be') {
  const instance = i18next.createInstance();
  await instance.init({
    resources: { en: { translation: en }, ru: { translation: ru }, be: { translation: be } },
    lng: language,
    interpolation: { escapeValue: false },
  });
  return instance.t;
}

describe('the published form of a checkpoint', () => {
  it('writes the time in UTC to the second, whatever the reader’s zone', () => {
    expect(utcTime(body.timeMs)).toBe('2026-12-06 00:00:05 UTC');
  });

  it('names the chain, the height, the UTC time, the block hash, the statement root, the id and the signers', async () => {
    const text = publishedForm(await translator('en'), { id, body, validatorsSigned: 3, validatorsTotal: 4 });
    expect(text.split('\n')).toEqual([
      en.checkpoints.published.heading,
      'Network: by-registry-1',
      'Block height: 1440',
      'Date (UTC): 2026-12-06 00:00:05 UTC',
      `Block hash: ${body.blockHash}`,
      `Statement root: ${body.statementRoot}`,
      `Checkpoint id: ${id}`,
      'Signed by 3 of 4 validators',
    ]);
  });

  it('keeps the values and translates only the labels in Russian and Belarusian', async () => {
    for (const language of ['ru', 'be'] as const) {
      const text = publishedForm(await translator(language), { id, body, validatorsSigned: 3, validatorsTotal: 4 });
      for (const value of [body.chainId, '1440', '2026-12-06 00:00:05 UTC', body.blockHash, body.statementRoot, id])
        expect(text, language).toContain(value);
      expect(text, language).not.toContain('Block hash');
    }
  });
});
