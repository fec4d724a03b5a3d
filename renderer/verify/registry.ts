// The page's one piece of state: the trusted registry with its checkpoint shelf, loaded from this
// device at start and changed by importing a genesis document or a bundle, or removing a bundle.
// Every change is written to IndexedDB first, then shown.
import { useCallback, useEffect, useState } from 'react';
import {
  addBundle,
  BundleError,
  bundleKey,
  emptyRegistry,
  rebuildRegistry,
  type HeldCheckpoint,
  type Registry,
} from './shelf.js';
import { loadBundles, loadGenesis, removeBundle, saveBundle, saveGenesis } from './store.js';

export type RegistryState =
  { status: 'loading' } | { status: 'none'; error?: unknown } | { status: 'ready'; registry: Registry };

export interface RegistryActions {
  importGenesis(genesis: unknown): Promise<Registry>;
  /** Adds a bundle; answers whether it was new. Throws BundleError. */
  importBundle(bundle: unknown): Promise<{ held: HeldCheckpoint; added: boolean }>;
  remove(key: string): Promise<void>;
}

async function fromDevice(): Promise<RegistryState> {
  const genesis = await loadGenesis();
  if (genesis === undefined) return { status: 'none' };
  try {
    return { status: 'ready', registry: rebuildRegistry(genesis, await loadBundles()) };
  } catch (error) {
    return { status: 'none', error };
  }
}

export function useRegistry(): [RegistryState, RegistryActions] {
  const [state, setState] = useState<RegistryState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    fromDevice().then(
      (loaded) => live && setState(loaded),
      (error: unknown) => live && setState({ status: 'none', error }),
    );
    return () => {
      live = false;
    };
  }, []);

  const importGenesis = useCallback(async (genesis: unknown) => {
    emptyRegistry(genesis); // throws on a document that is not a genesis
    await saveGenesis(genesis);
    const registry = rebuildRegistry(genesis, await loadBundles());
    setState({ status: 'ready', registry });
    return registry;
  }, []);

  const importBundle = useCallback(
    async (bundle: unknown) => {
      if (state.status !== 'ready') throw new BundleError('NO_TRUST', 'no registry is trusted yet');
      const registry = state.registry;
      const before = new Set(registry.held.map((entry) => entry.key));
      const held = addBundle(registry, bundle);
      await saveBundle(bundleKey(registry.trust.chainId, held.height), bundle);
      setState({ status: 'ready', registry: { ...registry } });
      return { held, added: !before.has(held.key) };
    },
    [state],
  );

  const remove = useCallback(async (key: string) => {
    await removeBundle(key);
    setState(await fromDevice());
  }, []);

  return [state, { importGenesis, importBundle, remove }];
}
