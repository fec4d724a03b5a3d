// Tendermint BFT consensus (DESIGN §5): the pure state machine, the PrivValidator that never
// double-signs, and the driver that runs them against an injected clock, transport and app.
export * from './types.js';
export * from './thresholds.js';
export { ConsensusStateMachine, type StateMachineConfig } from './state-machine.js';
export { VoteSet, VOTES_PER_VALIDATOR_MAX } from './vote-set.js';
export { FUTURE_ROUNDS_PER_VALIDATOR_MAX, ROUNDS_KEPT_MAX } from './round-messages.js';
export { MESSAGES_PER_VALIDATOR_MAX as NEXT_HEIGHT_MESSAGES_PER_VALIDATOR_MAX } from './next-height-buffer.js';
export { NETWORK_INPUTS_MAX_DEFAULT } from './input-queue.js';
export * from './interfaces.js';
export * from './priv-validator.js';
export { MemoryPrivValidatorStore, privValidatorStateSchema, SIGNED_KEPT_MAX } from './priv-validator-state.js';
export {
  FilePrivValidatorStore,
  PrivValidatorStateError,
  PRIV_VALIDATOR_STATE_FILE,
} from './priv-validator-file-store.js';
export * from './driver.js';
export { systemClock } from './system-clock.js';
