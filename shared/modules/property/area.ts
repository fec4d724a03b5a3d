// Areas as people write them (square metres, at most two decimals) and as the ledger keeps
// them (whole square decimetres, exact): shared by `notary tx register | correct` and the screen.

/** "54.2", "54.20" or "54,31" (m²) -> 5420 / 5431 dm², exact; undefined when it is no such number. */
export function areaDm2FromM2(value: string): number | undefined {
  const match = /^\s*(\d{1,12})(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** 5431 dm² -> "54.31": the plain text a form field starts from (not the localized display). */
export function areaM2Text(areaDm2: number): string {
  return `${Math.floor(areaDm2 / 100)}.${String(areaDm2 % 100).padStart(2, '0')}`;
}
