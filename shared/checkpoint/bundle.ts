// What a verifier takes in (issue 18): a checkpoint bundle (the checkpoint file with its layer,
// one JSON file a bank keeps or a node serves), and the trust it starts from (a registry's
// genesis document: the offices that may validate, and the observer offices it counts as
// witnesses, by name).
import { z } from 'zod';
import { parseGenesis, type Genesis } from '../ledger/index.js';
import { checkpointFileSchema, type CheckpointFile, type KnownWitness } from './checkpoint.js';
import { BUCKET_BITS_MAX } from './tree.js';
import { setChangesSchema, type SetChange } from './validator-sets.js';

export const CHECKPOINT_BUNDLE_VERSION = 1;
const LAYER_BASE64_MAX = Math.ceil((32 * 2 ** BUCKET_BITS_MAX) / 3) * 4;

export const checkpointBundleSchema = z.strictObject({
  kind: z.literal('checkpoint-bundle'),
  version: z.literal(CHECKPOINT_BUNDLE_VERSION),
  checkpoint: checkpointFileSchema,
  /** The bucket heads, base64. */
  layer: z
    .string()
    .max(LAYER_BASE64_MAX)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
  /** The changes of the validator set from genesis to the checkpoint (REQ-CKP.5); absent: none. */
  setChanges: setChangesSchema.optional(),
});
export type CheckpointBundle = z.infer<typeof checkpointBundleSchema>;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
  return btoa(binary);
}

export function checkpointBundle(
  file: CheckpointFile,
  layer: Uint8Array,
  setChanges: SetChange[] = [],
): CheckpointBundle {
  return {
    kind: 'checkpoint-bundle',
    version: CHECKPOINT_BUNDLE_VERSION,
    checkpoint: file,
    layer: toBase64(layer),
    ...(setChanges.length > 0 ? { setChanges } : {}),
  };
}

/** The file, the layer's bytes and the set changes of a bundle; throws with the field that is wrong. Check them with CheckpointShelf.add. */
export function parseCheckpointBundle(input: unknown): {
  file: CheckpointFile;
  layer: Uint8Array;
  setChanges: SetChange[];
} {
  const parsed = checkpointBundleSchema.safeParse(input);
  if (!parsed.success) throw new Error(`not a checkpoint bundle: ${parsed.error.issues[0]?.message}`);
  const binary = atob(parsed.data.layer);
  return {
    file: parsed.data.checkpoint,
    layer: Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    setChanges: parsed.data.setChanges ?? [],
  };
}

export interface RegistryTrust {
  chainId: string;
  /** Keys that may validate: the genesis registrars and notaries not suspended (as `notary verify --genesis`). */
  validators: string[];
  /** The genesis observer offices, by name: the witnesses a verifier counts. */
  witnesses: KnownWitness[];
}

/** The trust a verifier starts from, read from a registry's genesis document; throws on a document that is not one. */
export function trustFromGenesis(input: unknown): RegistryTrust {
  const genesis: Genesis = parseGenesis(input);
  const active = genesis.authorities.filter((authority) => authority.status !== 'suspended');
  const validators = active
    .filter((authority) => authority.role === 'registrar' || authority.role === 'notary')
    .map((authority) => authority.key);
  if (validators.length === 0) throw new Error('the genesis document names no registrars or notaries to trust');
  return {
    chainId: genesis.chainId,
    validators,
    witnesses: active
      .filter((authority) => authority.role === 'observer')
      .map((authority) => ({ key: authority.key, name: authority.name })),
  };
}
