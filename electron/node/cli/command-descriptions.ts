// What `notary --help` says of each command that loads on use, and what each command's own
// module says of itself: data only, imported by commands.ts and by the command modules alike
// (commands.ts imports the modules, so they cannot import it back).
export interface CommandDescription {
  /** As `notary --help` lists it: the name, `[options]` and the arguments. */
  term: string;
  description: string;
}

export const COMMAND_DESCRIPTIONS = {
  init: {
    term: 'init [options]',
    description:
      'create a node data folder: node key, config, signing key in an encrypted keystore; --dev adds a single-validator dev chain with demo data',
  },
  keys: {
    term: 'keys',
    description:
      "signing keys in encrypted keystore files: keys new --out FILE; keys seal a devnet's plain key file; keys rotate: the office's next key",
  },
  tx: {
    term: 'tx',
    description:
      'build, sign and certify transactions as JSON files: tx transfer | register | encumbrance | authority | sign | certify',
  },
  election: {
    term: 'election',
    description:
      'elections and referenda: create, trustee key generation, credentials, casting, close, decryption, tally, export, verify (docs/elections.md)',
  },
  verify: {
    term: 'verify [options] <file>',
    description:
      'verify a receipt or ownership certificate offline (no node needed) against a trust anchor (--genesis or --trusted-validators); exit 0 when valid, 1 when not, 2 when no trust anchor was given',
  },
  audit: {
    term: 'audit [options]',
    description: "re-verify a stopped node's chain from genesis; exit 0 when clean, 1 on damage",
  },
  repair: {
    term: 'repair [options]',
    description:
      'move a damaged chain folder aside so that the next start re-syncs every block from peers (the node must be stopped)',
  },
  status: {
    term: 'status [options]',
    description: "show a running node's height, peers, validators, mempool and outbox",
  },
  submit: {
    term: 'submit [options] <file>',
    description: 'submit a signed transaction JSON file to a running node',
  },
  receipt: {
    term: 'receipt [options] <txHash>',
    description:
      'fetch the receipt of a final transaction from a running node (verify it offline with `notary verify`)',
  },
} satisfies Record<string, CommandDescription>;

export type LazyCommandName = keyof typeof COMMAND_DESCRIPTIONS;

export function describeCommand(name: LazyCommandName): string {
  return COMMAND_DESCRIPTIONS[name].description;
}
