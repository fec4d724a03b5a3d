// governance.upgrade / governance.params: the chain's protocol version and parameters,
// changed by more than 2/3 of active registrars (the quorum of authority changes).
import { reject } from '../../ledger/errors.js';
import type { RuleContext } from '../../ledger/module.js';
import { checkRegistrarQuorum, validatorsOf, authorityIndex } from '../authority/keeper.js';
import { protocolAt, protocolRecord } from './keeper.js';
import {
  GovernanceCode,
  GovernanceKey,
  PARAM_BOUNDS,
  UPGRADE_NOTICE_BLOCKS_MIN,
  type governanceParamsTx,
  type governanceUpgradeTx,
} from './types.js';
import type { z } from 'zod';

export function applyGovernanceUpgrade(tx: z.output<typeof governanceUpgradeTx>, context: RuleContext): void {
  checkRegistrarQuorum(tx, context);
  const { height } = context.block;
  const record = protocolRecord(context.state);
  // The version in force now: a scheduled upgrade whose height has come is no longer pending.
  const current = protocolAt(context.state, height);
  const pending = record.upgrade && record.upgrade.height > height ? record.upgrade : undefined;
  if ('cancel' in tx.payload) {
    const { cancel } = tx.payload;
    // REJECT: a cancellation names the upgrade it cancels, so an old one cannot cancel a newer schedule.
    if (!pending || pending.version !== cancel.version || pending.height !== cancel.height) {
      reject(
        GovernanceCode.noSuchUpgrade,
        `no upgrade to version ${cancel.version} at height ${cancel.height} is scheduled` +
          (pending ? ` (the scheduled one is version ${pending.version} at height ${pending.height})` : ''),
      );
    }
    context.state.set(GovernanceKey.protocol, { version: current });
    return;
  }
  const { schedule } = tx.payload;
  // REJECT: one upgrade at a time; moving it is a cancellation, then a new schedule.
  if (pending) {
    reject(
      GovernanceCode.upgradeScheduled,
      `an upgrade to version ${pending.version} at height ${pending.height} is already scheduled; cancel it first`,
    );
  }
  // REJECT: a chain never goes back to older rules, nor re-enters the ones it runs.
  if (schedule.version <= current) {
    reject(
      GovernanceCode.upgradeNotNewer,
      `the chain runs protocol version ${current}; ${schedule.version} is not newer`,
    );
  }
  // REJECT: every office needs notice to install the release before the height comes.
  if (schedule.height < height + UPGRADE_NOTICE_BLOCKS_MIN) {
    reject(
      GovernanceCode.upgradeTooSoon,
      `height ${schedule.height} is less than ${UPGRADE_NOTICE_BLOCKS_MIN} blocks after this block (${height})`,
    );
  }
  context.state.set(GovernanceKey.protocol, { version: current, upgrade: schedule });
}

export function applyGovernanceParams(tx: z.output<typeof governanceParamsTx>, context: RuleContext): void {
  checkRegistrarQuorum(tx, context);
  const next = { ...context.params, ...tx.payload.changes };
  for (const name of ['maxValidators', 'heartbeatMs'] as const) {
    const { min, max } = PARAM_BOUNDS[name];
    // REJECT: parameters stay inside the bounds the protocol allows (the record's schema).
    if (next[name] < min || next[name] > max)
      reject(GovernanceCode.paramOutOfRange, `${name} must be ${min} to ${max}, not ${next[name]}`);
  }
  const designated = validatorsOf(authorityIndex(context.state)).length;
  // REJECT: the maximum never falls below the set designated now; remove validators first.
  if (next.maxValidators < designated) {
    reject(
      GovernanceCode.paramsBelowValidators,
      `${designated} validators are designated; withdraw some before lowering the maximum to ${next.maxValidators}`,
    );
  }
  context.state.set(GovernanceKey.params, next);
}
