// The checkpoints the page holds, rebuilt from what it keeps: the trust read from the genesis
// document, then every kept bundle added to a CheckpointShelf, which checks each one (its
// validators' and witnesses' signatures against the trust, and its layer against the signed
// root). A bundle that no longer checks (another registry's, or an edited store) stays listed
// as refused with its reason, so the person can remove it.
import {
  CheckpointShelf,
  CheckpointShelfError,
  parseCheckpointBundle,
  trustFromGenesis,
  type KnownWitness,
  type RegistryTrust,
} from '../../shared/checkpoint/index.js';

export interface HeldCheckpoint {
  key: string;
  height: number;
  timeMs: number;
  validatorsSigned: number;
  validatorsTotal: number;
  witnesses: KnownWitness[];
}

export interface RefusedCheckpoint {
  key: string;
  code: string;
  reason: string;
}

export interface Registry {
  trust: RegistryTrust;
  shelf: CheckpointShelf;
  held: HeldCheckpoint[];
  refused: RefusedCheckpoint[];
}

/** Why a bundle was not added: the shelf's code (BAD_LAYER, NO_QUORUM, …), or NOT_A_BUNDLE. */
export class BundleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** The key a bundle is kept under: one per registry and height. */
export const bundleKey = (chainId: string, height: number) => `${chainId}/${height}`;

export function emptyRegistry(genesis: unknown): Registry {
  const trust = trustFromGenesis(genesis);
  return {
    trust,
    shelf: new CheckpointShelf({ trustedValidators: trust.validators, witnesses: trust.witnesses }),
    held: [],
    refused: [],
  };
}

/** Adds one bundle (parsed JSON) to the registry's shelf; throws BundleError naming the check that failed. */
export function addBundle(registry: Registry, bundle: unknown): HeldCheckpoint {
  let parsed: ReturnType<typeof parseCheckpointBundle>;
  try {
    parsed = parseCheckpointBundle(bundle);
  } catch (error) {
    throw new BundleError('NOT_A_BUNDLE', (error as Error).message);
  }
  try {
    registry.shelf.add(parsed.file, parsed.layer, parsed.setChanges);
  } catch (error) {
    if (error instanceof CheckpointShelfError) throw new BundleError(error.code, error.message);
    throw error;
  }
  const { body } = parsed.file;
  const key = bundleKey(body.chainId, body.height);
  const listed = registry.shelf
    .list()
    .find((entry) => entry.body.chainId === body.chainId && entry.body.height === body.height);
  const held: HeldCheckpoint = {
    key,
    height: body.height,
    timeMs: body.timeMs,
    validatorsSigned: listed?.validatorsSigned ?? parsed.file.signatures.length,
    validatorsTotal: parsed.file.validators.length,
    witnesses: listed?.witnesses ?? [],
  };
  registry.held = [...registry.held.filter((entry) => entry.key !== key), held].sort((a, b) => b.height - a.height);
  registry.refused = registry.refused.filter((entry) => entry.key !== key);
  return held;
}

/** The registry as kept: the genesis document's trust and every kept bundle, each checked again. */
export function rebuildRegistry(genesis: unknown, bundles: readonly { key: string; bundle: unknown }[]): Registry {
  const registry = emptyRegistry(genesis);
  for (const { key, bundle } of bundles) {
    try {
      addBundle(registry, bundle);
    } catch (error) {
      const code = error instanceof BundleError ? error.code : 'NOT_A_BUNDLE';
      registry.refused.push({ key, code, reason: (error as Error).message });
    }
  }
  return registry;
}
