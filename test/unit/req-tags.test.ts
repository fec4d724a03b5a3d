// Test titles cite the requirement tags of docs/protocol.md that they prove (issue 13), e.g.
// it('rejects a transfer signed for another chain (WRONG_CHAIN) [REQ-TX.1]', …). This checks both
// directions: every tag a title cites is one protocol.md defines (no stale or misspelt tag), and
// every tag protocol.md defines is cited by at least one title, or is listed in UNTESTED below
// with the reason, so that a requirement without a test is a named gap rather than a silent one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PROTOCOL = join(ROOT, 'docs', 'protocol.md');
const TESTS = join(ROOT, 'test');

/** Requirements no test proves yet, with the reason. Remove an entry once a test title cites its tag. */
const UNTESTED: Record<string, string> = {};

/** A definition in protocol.md, and the one form a title cites it in: `[REQ-AREA.N]`. */
const DEFINITION = /\[(REQ-[A-Z]+\.\d+)\]/g;
const WELL_FORMED = /^\[REQ-[A-Z]+\.\d+\]$/;
/** Anything in a title that looks like a citation, well-formed or not: `[REQ-TX.1]`, `REQ-TX.1`, `[REQ-TX1]`. */
const CITATION = /\[?REQ-[^\s\]]*\]?/g;

/** The tags protocol.md defines, in order, repeats included. */
function definitions(): string[] {
  return [...readFileSync(PROTOCOL, 'utf8').matchAll(DEFINITION)].map((match) => match[1]!);
}

function testFiles(): string[] {
  return readdirSync(TESTS, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.test.ts'))
    .map((path) => join(TESTS, path))
    .sort();
}

// ---- titles: the first argument of describe/it/test, also after .each(…), .skipIf(…), .runIf(…) ----

const QUOTES = new Set(["'", '"', '`']);
const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** The index just past the string literal that opens at `start` (template literals with `${…}` included). */
function stringEnd(source: string, start: number): number {
  const quote = source[start]!;
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i + 1;
    else if (quote === '`' && source.startsWith('${', i)) i = bracketEnd(source, i + 1) - 1;
  }
  return source.length;
}

/** The index just past the bracket that closes the one at `start`, skipping strings and comments. */
function bracketEnd(source: string, start: number): number {
  const closing = [CLOSING[source[start]!]!];
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i]!;
    if (QUOTES.has(c)) i = stringEnd(source, i) - 1;
    else if (source.startsWith('//', i)) i = lineEnd(source, i);
    else if (source.startsWith('/*', i)) i = source.indexOf('*/', i) < 0 ? source.length : source.indexOf('*/', i) + 1;
    else if (c in CLOSING) closing.push(CLOSING[c]!);
    else if (c === closing.at(-1)) {
      closing.pop();
      if (closing.length === 0) return i + 1;
    }
  }
  return source.length;
}

function lineEnd(source: string, i: number): number {
  const newline = source.indexOf('\n', i);
  return newline < 0 ? source.length : newline;
}

/** The raw text of every describe/it/test title in a test file (comment lines left out). */
function titles(file: string): string[] {
  const source = file.replace(/^\s*(?:\/\/|\/\*|\*).*$/gm, '');
  const found: string[] = [];
  const space = /\s*/y;
  const member = /\.\s*[A-Za-z_$][\w$]*/y;
  const skipSpace = (i: number) => ((space.lastIndex = i), space.exec(source), space.lastIndex);
  for (const callee of source.matchAll(/(?<![\w$.])(?:describe|it|test)\b/g)) {
    let i = callee.index + callee[0].length;
    for (;;) {
      i = skipSpace(i);
      member.lastIndex = i;
      if (member.exec(source)) {
        i = member.lastIndex; // .each, .skipIf, .runIf, .only, …
        continue;
      }
      if (source[i] !== '(') break;
      const argument = skipSpace(i + 1);
      if (QUOTES.has(source[argument]!)) {
        found.push(source.slice(argument + 1, stringEnd(source, argument) - 1));
        break;
      }
      // not a title yet: the arguments of .each, .skipIf or .runIf, whose result is then called with it
      i = bracketEnd(source, i);
    }
  }
  return found;
}

/** Every title of every test file, with its file. */
function allTitles(): Array<{ file: string; title: string }> {
  return testFiles().flatMap((path) =>
    titles(readFileSync(path, 'utf8')).map((title) => ({ file: relative(ROOT, path), title })),
  );
}

describe('requirement tags in test titles (docs/protocol.md)', () => {
  const defined = definitions();
  const known = new Set(defined);
  const everyTitle = allTitles();
  /** tag → the titles citing it */
  const citedBy = new Map<string, string[]>();
  for (const { file, title } of everyTitle)
    for (const [citation] of title.matchAll(CITATION)) {
      const tag = citation.replace(/^\[|\]$/g, '');
      citedBy.set(tag, [...(citedBy.get(tag) ?? []), `${file}: ${title}`]);
    }

  it('reads protocol.md and a title from every test file', () => {
    expect(defined.length).toBeGreaterThanOrEqual(25);
    const filesWithTitles = new Set(everyTitle.map(({ file }) => file));
    expect(testFiles().filter((path) => !filesWithTitles.has(relative(ROOT, path)))).toEqual([]);
  });

  it('protocol.md defines each tag once', () => {
    expect(defined.filter((tag, i) => defined.indexOf(tag) !== i)).toEqual([]);
  });

  it('every tag a title cites is defined in protocol.md, and written in brackets as there', () => {
    const wrong = everyTitle.flatMap(({ file, title }) =>
      [...title.matchAll(CITATION)]
        .filter(([citation]) => !(WELL_FORMED.test(citation) && known.has(citation.slice(1, -1))))
        .map(([citation]) => `${citation} in ${file}: ${title}`),
    );
    expect(wrong).toEqual([]);
  });

  it('every tag of protocol.md is cited by a test title, or listed as untested with its reason', () => {
    const uncited = defined.filter((tag) => !citedBy.has(tag) && !(tag in UNTESTED));
    expect(uncited, 'cite each in the title of a test that proves it, or add it to UNTESTED').toEqual([]);
  });

  it('lists as untested only tags that protocol.md defines and no title cites yet', () => {
    for (const [tag, reason] of Object.entries(UNTESTED)) {
      expect(known.has(tag), `${tag} is not in protocol.md`).toBe(true);
      expect(citedBy.get(tag) ?? [], `${tag} is cited now: remove it from UNTESTED`).toEqual([]);
      expect(reason).toMatch(/^no test yet: /);
    }
  });
});
