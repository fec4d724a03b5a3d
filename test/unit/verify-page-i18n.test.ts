// The verification page speaks English, Russian and Belarusian: every sentence of en.ts has its
// own translation in ru.ts and be.ts (not the English left in place), with the same placeholders.
import { describe, expect, it } from 'vitest';
import { be } from '../../renderer/verify/i18n/be.js';
import { en } from '../../renderer/verify/i18n/en.js';
import { ru } from '../../renderer/verify/i18n/ru.js';

function leaves(table: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(table)) {
    if (typeof value === 'string') out.set(`${prefix}${key}`, value);
    else for (const [inner, text] of leaves(value as object, `${prefix}${key}.`)) out.set(inner, text);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();

describe("the verification page's languages", () => {
  const english = leaves(en);
  for (const [name, table] of [
    ['ru', ru],
    ['be', be],
  ] as const) {
    it(`${name} translates every sentence of en, with the same placeholders`, () => {
      const translated = leaves(table);
      expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, text] of english) {
        const other = translated.get(key)!;
        expect(other.trim(), key).not.toBe('');
        expect(other, `${name} ${key} is the English`).not.toBe(text);
        expect(placeholders(other), key).toEqual(placeholders(text));
      }
    });
  }
  it('ru and be are not one table', () => {
    const same = [...leaves(ru)].filter(([key, text]) => leaves(be).get(key) === text).map(([key]) => key);
    expect(same.length).toBeLessThan(10);
  });
});
