export * from './commit.js';
export * from './decode.js';
export * from './execute.js';
export * from './genesis.js';
export * from './memory-state.js';
export * from './verify-block.js';
export * from './messages.js';
export * from './propose.js';
