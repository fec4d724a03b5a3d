// The governance module's records, keys, transactions and reject codes (Cosmos: types/).
// Pure: schemas only, so the assembled schema (shared/ledger/schema.ts) imports it without
// importing any rule.
import { z } from 'zod';
import { codesOf, type RejectCodeSpec } from '../../ledger/errors.js';
import { text, txSchema, uint } from '../../ledger/primitives.js';

/** Bounds of each chain parameter; a governance.params outside them is refused. */
export const PARAM_BOUNDS = {
  maxValidators: { min: 1, max: 1_000 },
  /** 1 s is for test chains; an hour is long enough that an idle network barely grows. */
  heartbeatMs: { min: 1_000, max: 3_600_000 },
  /** A checkpoint a period (docs/protocol.md REQ-CKP.4): 5 s is for test chains; at least one a month. */
  checkpointEveryMs: { min: 5_000, max: 31 * 86_400_000 },
} as const;

export const chainParams = z.strictObject({
  maxValidators: z.number().int().min(PARAM_BOUNDS.maxValidators.min).max(PARAM_BOUNDS.maxValidators.max),
  heartbeatMs: z.number().int().min(PARAM_BOUNDS.heartbeatMs.min).max(PARAM_BOUNDS.heartbeatMs.max),
  /**
   * The checkpoint period, UTC-aligned (REQ-CKP.4); absent: a day. Set in the genesis of a chain
   * made by this release; governance.params cannot change it (that is a protocol version's change).
   */
  checkpointEveryMs: z
    .number()
    .int()
    .min(PARAM_BOUNDS.checkpointEveryMs.min)
    .max(PARAM_BOUNDS.checkpointEveryMs.max)
    .optional(),
});

/** The checkpoint period of a chain whose parameters do not name one. */
export const DEFAULT_CHECKPOINT_EVERY_MS = 86_400_000;

/** The parameters of a chain whose state has no `cfg/params` record (every chain made before it). */
export const DEFAULT_CHAIN_PARAMS = { maxValidators: 100, heartbeatMs: 120_000 } as const satisfies z.infer<
  typeof chainParams
>;

/** A protocol version: 1 is the first; bounded so a typo cannot schedule version 10^15. */
export const protocolVersion = z.number().int().min(1).max(1_000);

export const scheduledUpgrade = z.strictObject({
  version: protocolVersion,
  height: uint,
  /** What the upgrade is called in the release notes, for the operators' screens. */
  name: text(64).optional(),
});

/** `cfg/protocol`: the version in force, and the upgrade scheduled, if any. Absent: version 1. */
export const protocolRecord = z.strictObject({ version: protocolVersion, upgrade: scheduledUpgrade.optional() });

/** Blocks between the block scheduling an upgrade and the upgrade height, at the least. */
export const UPGRADE_NOTICE_BLOCKS_MIN = 10;

export const governanceUpgradePayload = z.union([
  z.strictObject({ schedule: scheduledUpgrade }),
  /** Cancels the scheduled upgrade it names (so an old cancellation cannot cancel a newer one). */
  z.strictObject({ cancel: scheduledUpgrade.pick({ version: true, height: true }) }),
]);

export const governanceParamsPayload = z.strictObject({
  changes: z
    .strictObject({ maxValidators: uint.optional(), heartbeatMs: uint.optional() })
    .refine((changes) => Object.keys(changes).length > 0, 'a change of parameters changes at least one'),
});

export const governanceUpgradeTx = txSchema('governance.upgrade', governanceUpgradePayload);
export const governanceParamsTx = txSchema('governance.params', governanceParamsPayload);

/** The module's fields of the genesis file; each absent on chains made before them. */
export const governanceGenesis = {
  /** The chain's parameters; absent: DEFAULT_CHAIN_PARAMS, and no record is written. */
  params: chainParams.optional(),
  /** The protocol version of height 1; absent: version 1 (every chain made before versions). */
  protocolVersion: protocolVersion.optional(),
};

/** The keys this module owns. Prefixes are part of the protocol: never reuse or rename one. */
export const GovernanceKey = {
  params: 'cfg/params',
  protocol: 'cfg/protocol',
} as const;

export const GOVERNANCE_CODES = {
  paramOutOfRange: {
    code: 'PARAM_OUT_OF_RANGE',
    meaning: 'A chain parameter is outside the bounds the protocol allows.',
  },
  paramsBelowValidators: {
    code: 'PARAMS_BELOW_VALIDATORS',
    meaning: 'The maximum number of validators would be below the number designated now.',
  },
  upgradeNotNewer: {
    code: 'UPGRADE_NOT_NEWER',
    meaning: 'The protocol version to upgrade to is not above the version the chain runs.',
  },
  upgradeTooSoon: {
    code: 'UPGRADE_TOO_SOON',
    meaning: 'The upgrade height leaves operators too few blocks to install the new release.',
  },
  upgradeScheduled: {
    code: 'UPGRADE_SCHEDULED',
    meaning: 'Another upgrade is already scheduled; cancel it first.',
  },
  noSuchUpgrade: { code: 'NO_SUCH_UPGRADE', meaning: 'No upgrade with this version and height is scheduled.' },
} as const satisfies Record<string, RejectCodeSpec>;
export const GovernanceCode = codesOf(GOVERNANCE_CODES);

export type ChainParamsRecord = z.infer<typeof chainParams>;
export type ProtocolRecord = z.infer<typeof protocolRecord>;
export type ScheduledUpgrade = z.infer<typeof scheduledUpgrade>;
