// One translation table per language, merged from the shell's strings and each UI module's.
// Modules share namespaces (`nav.registry`, `txType.transfer`, `reject.ENCUMBERED`), so the
// merge is deep; a string two tables both define is a mistake, refused at start with its key.

/** Strings nested by namespace: what a shell or module table holds. */
export interface StringTree {
  readonly [key: string]: string | StringTree;
}

/** The keys of an English table, each to be filled with a translation. */
export type Translation<T> = { -readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]> };

/** Two tables as one; a key both define as a string (or one as a string, one as a namespace) is `never`. */
type MergeTwo<A, B> = {
  [K in keyof A | keyof B]: K extends keyof A
    ? K extends keyof B
      ? A[K] extends string
        ? never
        : B[K] extends string
          ? never
          : MergeTwo<A[K], B[K]>
      : A[K]
    : K extends keyof B
      ? B[K]
      : never;
};

/** The shell's table with each module's merged in, in order. */
export type Merged<A, Tables extends readonly unknown[]> = Tables extends readonly [infer First, ...infer Rest]
  ? Merged<MergeTwo<A, First>, Rest>
  : A;

function mergeInto(target: Record<string, unknown>, source: StringTree, path: string): void {
  for (const [key, value] of Object.entries(source)) {
    const here = path ? `${path}.${key}` : key;
    const existing = target[key];
    if (typeof value === 'string') {
      if (existing !== undefined) throw new Error(`translation key ${here} is defined twice`);
      target[key] = value;
    } else if (existing === undefined) {
      const fresh: Record<string, unknown> = {};
      target[key] = fresh;
      mergeInto(fresh, value, here);
    } else if (typeof existing === 'string') {
      throw new Error(`translation key ${here} is both a string and a namespace`);
    } else {
      mergeInto(existing as Record<string, unknown>, value, here);
    }
  }
}

/** One language's table: the shell's strings, then each module's. */
export function mergeStrings<const Shell extends StringTree, const Tables extends readonly StringTree[]>(
  shell: Shell,
  tables: Tables,
): Merged<Shell, Tables> {
  const merged: Record<string, unknown> = {};
  for (const table of [shell, ...tables]) mergeInto(merged, table, '');
  return merged as Merged<Shell, Tables>;
}
