// The validator set (REQ-VAL.1), each with one vote: the active registrars and notaries
// designated validators, an authority written before designation existed (no `validator`
// field: every record of protocol 1) counting as designated, so legacy chains keep their sets.
// Changes made by block H take effect at height H + 2, so every validator of H + 1
// already knows the set it must collect votes from.
import { encode } from '../../codec/index.js';
import { sha256Hex } from '../../crypto/index.js';
import type { AuthorityIndexEntry, ValidatorSchedule } from './types.js';

export const VALIDATOR_SET_DELAY_BLOCKS = 2;

export function validatorsOf(index: readonly AuthorityIndexEntry[]): string[] {
  return index
    .filter(
      (entry) =>
        entry.status === 'active' &&
        (entry.role === 'registrar' || entry.role === 'notary') &&
        entry.validator !== false,
    )
    .map((entry) => entry.key)
    .sort();
}

export function validatorsHash(validators: readonly string[]): string {
  return sha256Hex(encode(validators));
}

/** The set that votes on `height`. */
export function validatorsAt(schedule: ValidatorSchedule, height: number): string[] {
  let current: string[] | undefined;
  for (const entry of schedule) if (entry.fromHeight <= height) current = entry.validators;
  if (!current) throw new Error(`no validator set is scheduled for height ${height}`);
  return current;
}

/**
 * The schedule after block `height`, or undefined when unchanged. Keeps the entry in force
 * at `height` and any later one, so it never grows past three entries.
 */
export function nextValidatorSchedule(
  schedule: ValidatorSchedule,
  index: readonly AuthorityIndexEntry[],
  height: number,
): ValidatorSchedule | undefined {
  const next = validatorsOf(index);
  const last = schedule[schedule.length - 1];
  if (last && last.validators.length === next.length && last.validators.every((key, i) => key === next[i]))
    return undefined;
  const inForce = schedule.filter((entry) => entry.fromHeight <= height).pop();
  const later = schedule.filter((entry) => entry.fromHeight > height);
  return [
    ...(inForce ? [inForce] : []),
    ...later,
    { fromHeight: height + VALIDATOR_SET_DELAY_BLOCKS, validators: next },
  ];
}
