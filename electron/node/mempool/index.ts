export * from './mempool.js';
export * from './outbox.js';
