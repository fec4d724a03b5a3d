// Checkpoints and compact proofs (docs/protocol.md "Checkpoints and compact proofs").
export * from './checkpoint.js';
export * from './compact.js';
export * from './statement.js';
export * from './tree.js';
export * from './bundle.js';
export * from './validator-sets.js';
