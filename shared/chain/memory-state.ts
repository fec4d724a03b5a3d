// A whole chain state in memory: for the simulator, the auditor's replay and tests.
import { bytesToHex } from '../codec/index.js';
import { SMT_EMPTY_ROOT } from '../smt/index.js';
import { MemoryNodeStore } from '../smt/memory-node-store.js';
import type { Execution, StateSource } from './execute.js';

export class MemoryChainState implements StateSource {
  readonly records = new Map<string, unknown>();
  readonly nodes = new MemoryNodeStore();
  stateRoot = bytesToHex(SMT_EMPTY_ROOT);

  getMany(keys: string[]): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    for (const key of keys) {
      const record = this.records.get(key);
      if (record !== undefined) found.set(key, record);
    }
    return Promise.resolve(found);
  }

  apply(execution: Execution): void {
    for (const write of execution.stateWrites) {
      if (write.record === null) this.records.delete(write.key);
      else this.records.set(write.key, write.record);
    }
    this.nodes.put(execution.smtNodes);
    this.stateRoot = execution.stateRoot;
  }
}
