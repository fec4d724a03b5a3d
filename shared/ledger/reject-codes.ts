// Every reject code of the ledger: the kernel's and each module's, in module order.
// test/unit/ledger-modules.test.ts holds them unique.
import { MODULES } from '../modules/index.js';
import { codesOf, KERNEL_CODES } from './errors.js';

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;
type ModuleCodes = UnionToIntersection<(typeof MODULES)[number]['codes']>;

/** Every code with its meaning: the kernel's first, then each module's. */
export const REJECT_CODES = Object.assign(
  { ...KERNEL_CODES },
  ...MODULES.map((module) => module.codes),
) as typeof KERNEL_CODES & ModuleCodes;

/** `RejectCode.staleVersion === 'STALE_VERSION'`, for every module's codes. */
export const RejectCode = codesOf(REJECT_CODES);
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];
