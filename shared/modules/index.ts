// The one ordered list of registry modules (Cosmos: simapp/app.go). Everything per module
// is derived from it: the transaction union and its schema (shared/ledger/schema.ts), the
// rule lookup and end-of-block order (apply.ts), the prefetch keys and the record schemas
// by key prefix (state.ts), the genesis fields (genesis.ts), the reject codes
// (reject-codes.ts), and the API's and the UI's transaction-type lists.
// A module may `use` only modules listed before it (test/unit/ledger-modules.test.ts).
import { authorityModule } from './authority/module.js';
import { electionModule } from './election/module.js';
import { encumbranceModule } from './encumbrance/module.js';
import { governanceModule } from './governance/module.js';
import { propertyModule } from './property/module.js';

export const MODULES = [authorityModule, governanceModule, propertyModule, encumbranceModule, electionModule] as const;

export type RegistryModule = (typeof MODULES)[number];
export type ModuleName = RegistryModule['name'];
/** Every transaction type's definition (schema and rules), as a union. */
export type AnyTxType = RegistryModule['txs'][number];

export { authorityModule, electionModule, encumbranceModule, governanceModule, propertyModule };
