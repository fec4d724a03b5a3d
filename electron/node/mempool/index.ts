export * from './mempool.js';
export * from './outbox.js';
export * from './pending-log.js';
