// The election cryptography (docs/elections.md, part A). Isomorphic: the voter's browser
// encrypts and proves, every node verifies, trustees decrypt on their own machines.
export * from './errors.js';
export * from './group.js';
export { nobleGroup } from './group-noble.js';
export { sodiumGroup, sealedBoxes, type SealedBoxes } from './group-sodium.js';
export * from './hash.js';
export * from './proofs.js';
export * from './elgamal.js';
export * from './ballot.js';
export * from './dkg.js';
export * from './dkg-transport.js';
export * from './decrypt.js';
export * from './encoding.js';
export * from './ballot-check.js';
