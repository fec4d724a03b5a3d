// The `notary` commands whose code loads only when one of them runs. `notary --help` lists them
// from this table without importing any: their modules pull in the ledger's zod schemas,
// LevelDB, the receipt verifier and more, which a command that does not use them should not pay
// for at start (docs/performance.md, "CLI start"). Each module takes its description from here.
import type { Command } from 'commander';

export interface LazyCommand {
  /** As `notary --help` lists it: the name, `[options]` and the arguments. */
  term: string;
  description: string;
  load(): Promise<Command>;
}

export const LAZY_COMMANDS = {
  init: {
    term: 'init [options]',
    description:
      'create a node data folder: node key, config, signing key in an encrypted keystore; --dev adds a single-validator dev chain with demo data',
    load: async () => (await import('./init.js')).initCommand(),
  },
  keys: {
    term: 'keys',
    description: "signing keys in encrypted keystore files: keys new --out FILE; keys seal a devnet's plain key file",
    load: async () => (await import('./keys.js')).keysCommand(),
  },
  tx: {
    term: 'tx',
    description:
      'build, sign and certify transactions as JSON files: tx transfer | register | encumbrance | authority | sign | certify',
    load: async () => (await import('./tx.js')).txCommand(),
  },
  verify: {
    term: 'verify [options] <file>',
    description:
      'verify a receipt or ownership certificate offline (no node needed) against a trust anchor (--genesis or --trusted-validators); exit 0 when valid, 1 when not, 2 when no trust anchor was given',
    load: async () => (await import('./verify.js')).verifyCommand(),
  },
  audit: {
    term: 'audit [options]',
    description: "re-verify a stopped node's chain from genesis; exit 0 when clean, 1 on damage",
    load: async () => (await import('./audit.js')).auditCommand(),
  },
  repair: {
    term: 'repair [options]',
    description:
      'move a damaged chain folder aside so that the next start re-syncs every block from peers (the node must be stopped)',
    load: async () => (await import('./repair.js')).repairCommand(),
  },
  status: {
    term: 'status [options]',
    description: "show a running node's height, peers, validators, mempool and outbox",
    load: async () => (await import('./node-commands.js')).statusCommand(),
  },
  submit: {
    term: 'submit [options] <file>',
    description: 'submit a signed transaction JSON file to a running node',
    load: async () => (await import('./node-commands.js')).submitCommand(),
  },
  receipt: {
    term: 'receipt [options] <txHash>',
    description:
      'fetch the receipt of a final transaction from a running node (verify it offline with `notary verify`)',
    load: async () => (await import('./node-commands.js')).receiptCommand(),
  },
} satisfies Record<string, LazyCommand>;

export type LazyCommandName = keyof typeof LAZY_COMMANDS;

export function describeCommand(name: LazyCommandName): string {
  return LAZY_COMMANDS[name].description;
}
