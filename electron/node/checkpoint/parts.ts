// The two parts that publish the state: snapshots (for offices joining) and checkpoints (for
// citizens' proofs), built from the same components so the node's wiring stays one call.
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import type { KeyRing } from '../keystore/key-ring.js';
import { snapshotService, type SnapshotServiceComponents } from '../snapshot/service.js';
import { checkpointService } from './service.js';

export function stateServices(
  config: NodeConfig,
  components: Omit<SnapshotServiceComponents, 'log'> & { log: Logger; keys: KeyRing | null; now: () => number },
) {
  const { keys, now, log, ...rest } = components;
  return {
    snapshots: snapshotService(config.snapshot)({ ...rest, log: log.child({ part: 'snapshot' }) }),
    checkpoints: checkpointService(config.checkpoint)({
      ...{ ...rest, role: config.role, now, log: log.child({ part: 'checkpoint' }) },
      keys: () => keys?.consensusKeys() ?? [],
    }),
  };
}
