// The `notary` commands whose code loads only when one of them runs. `notary --help` lists them
// from this table without importing any: their modules pull in the ledger's zod schemas,
// LevelDB, the receipt verifier and more, which a command that does not use them should not pay
// for at start (docs/performance.md, "CLI start"). Each module takes its description from
// command-descriptions.ts.
import type { Command } from 'commander';
import { COMMAND_DESCRIPTIONS, type CommandDescription, type LazyCommandName } from './command-descriptions.js';

export { describeCommand, type LazyCommandName } from './command-descriptions.js';

export interface LazyCommand extends CommandDescription {
  load(): Promise<Command>;
}

export const LAZY_COMMANDS = {
  init: { ...COMMAND_DESCRIPTIONS.init, load: async () => (await import('./init.js')).initCommand() },
  keys: { ...COMMAND_DESCRIPTIONS.keys, load: async () => (await import('./keys.js')).keysCommand() },
  tx: { ...COMMAND_DESCRIPTIONS.tx, load: async () => (await import('./tx.js')).txCommand() },
  election: {
    ...COMMAND_DESCRIPTIONS.election,
    load: async () => (await import('../modules/election/cli.js')).electionCommand(),
  },
  verify: { ...COMMAND_DESCRIPTIONS.verify, load: async () => (await import('./verify.js')).verifyCommand() },
  audit: { ...COMMAND_DESCRIPTIONS.audit, load: async () => (await import('./audit.js')).auditCommand() },
  repair: { ...COMMAND_DESCRIPTIONS.repair, load: async () => (await import('./repair.js')).repairCommand() },
  status: { ...COMMAND_DESCRIPTIONS.status, load: async () => (await import('./node-commands.js')).statusCommand() },
  submit: { ...COMMAND_DESCRIPTIONS.submit, load: async () => (await import('./node-commands.js')).submitCommand() },
  receipt: { ...COMMAND_DESCRIPTIONS.receipt, load: async () => (await import('./node-commands.js')).receiptCommand() },
} satisfies Record<LazyCommandName, LazyCommand>;
