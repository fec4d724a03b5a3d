// The governance module: the chain's parameters (cfg/params) and its protocol version with
// the upgrade scheduled (cfg/protocol), changed by more than 2/3 of active registrars. It
// governs the chain: the kernel asks it for the version in force at a height and for the
// parameters, and hands both to every rule (RuleContext) and the appHash.
import { KernelCode, LedgerError } from '../../ledger/errors.js';
import { defineModule, defineTx } from '../../ledger/module.js';
import { MapStateReader } from '../../ledger/overlay.js';
import { validatorSchedule, validatorsAt } from '../authority/keeper.js';
import { chainParams, governanceReads, protocolAt } from './keeper.js';
import { applyGovernanceParams, applyGovernanceUpgrade } from './rules.js';
import * as types from './types.js';
import { GovernanceKey } from './types.js';

export const governanceModule = defineModule({
  name: 'governance',
  describe: "The chain's parameters and protocol upgrades, governed by registrars",
  uses: ['authority'],
  prefixes: [
    { prefix: GovernanceKey.params, exact: true, schema: types.chainParams, describe: "the chain's parameters" },
    {
      prefix: GovernanceKey.protocol,
      exact: true,
      schema: types.protocolRecord,
      describe: 'the protocol version in force and the upgrade scheduled',
    },
  ],
  txs: [
    // In every version: a chain at version 1 must be able to schedule its way out of it.
    defineTx('governance.upgrade', types.governanceUpgradeTx, {
      describe: 'Schedules (or cancels) a protocol upgrade at a height (signed by more than 2/3 of registrars)',
      keysOf: () => [],
      apply: applyGovernanceUpgrade,
    }),
    defineTx('governance.params', types.governanceParamsTx, {
      describe: "Changes the chain's parameters: the most validators, the heartbeat",
      keysOf: () => [],
      apply: applyGovernanceParams,
      sinceProtocol: 2,
    }),
  ],
  codes: types.GOVERNANCE_CODES,
  governs: { keys: governanceReads, protocolAt, params: chainParams },
  genesis: {
    shape: types.governanceGenesis,
    init(genesis, writes) {
      // Written only when the genesis file has them: a chain made before keeps its genesis hash.
      if (genesis.params) {
        const validators = validatorsAt(validatorSchedule(new MapStateReader(writes)), 0);
        if (validators.length > genesis.params.maxValidators) {
          throw new LedgerError(
            KernelCode.malformed,
            `the genesis designates ${validators.length} validators, above its maxValidators of ${genesis.params.maxValidators}`,
          );
        }
        writes.set(GovernanceKey.params, genesis.params);
      }
      if (genesis.protocolVersion !== undefined)
        writes.set(GovernanceKey.protocol, { version: genesis.protocolVersion });
    },
  },
});
