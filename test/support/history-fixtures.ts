// Histories for the history checker's tests (issue 19): a seeded simulation of honest clients
// against a model registry (nodes that lag and catch up, crashes that leave a submission
// unanswered, refusals), and the mutations that inject each known violation into one.
import * as shares from '../../shared/modules/property/shares.js';
import type { Owner } from '../../shared/ledger/index.js';
import type { CommittedChain, CommittedTx, Rule } from '../soak/history-checker.js';
import type { Operation, ReadOperation, SubmitOperation, SyncReport } from '../soak/history.js';

/** A 64-hex key or hash, distinct per label and number. */
export function hex(label: string, n: number): string {
  const prefix = [...label].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return (prefix + n.toString(16).padStart(16, '0')).padEnd(64, '0').slice(0, 64);
}

export const key = (n: number) => hex('key', n);

export interface Simulated {
  operations: Operation[];
  committed: CommittedChain;
}

interface SimObject {
  id: string;
  version: number;
  owners: Map<string, shares.Fraction>;
  /** Each version with the height it took effect at. */
  versions: Array<{ version: number; owners: Owner[]; fromHeight: number }>;
  /** A transfer of it submitted and not yet committed or given up. */
  busy: boolean;
}

const ownersOf = (owners: Map<string, shares.Fraction>): Owner[] =>
  shares.normalizeOwners([...owners].map(([k, share]) => ({ key: k, share: shares.toShare(share) })));

export interface SimulationOptions {
  objects?: number;
  steps?: number;
  nodes?: number;
  clients?: number;
  parties?: number;
}

/**
 * An honest run: clients submit transfers (acknowledged, refused, or unanswered after a crash,
 * which then commit or not), query transactions and read objects from nodes that lag behind the
 * chain and say so while they do. Everything acknowledged commits once, by the end.
 */
export function honestHistory(random: () => number, options: SimulationOptions = {}): Simulated {
  const objectCount = options.objects ?? 6;
  const steps = options.steps ?? 200;
  const nodes = Array.from({ length: options.nodes ?? 4 }, (_, i) => `node-${i}`);
  const clients = Array.from({ length: options.clients ?? 4 }, (_, i) => `client-${i}`);
  const parties = Array.from({ length: options.parties ?? 8 }, (_, i) => key(i));
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  const objects: SimObject[] = Array.from({ length: objectCount }, (_, i) => {
    const owners =
      random() < 0.5
        ? new Map([[parties[i % parties.length]!, shares.ONE]])
        : new Map([
            [parties[i % parties.length]!, shares.fraction([1, 2])],
            [parties[(i + 1) % parties.length]!, shares.fraction([1, 2])],
          ]);
    return {
      id: `obj-${i}`,
      version: 1,
      owners,
      versions: [{ version: 1, owners: ownersOf(owners), fromHeight: 0 }],
      busy: false,
    };
  });
  const committed: CommittedChain = {
    objects: objects.map((o) => ({ id: o.id, version: o.version, owners: ownersOf(o.owners) })),
    blocks: [],
  };
  const heights = new Map(nodes.map((node) => [node, 0]));
  const busyUntil = new Map(clients.map((client) => [client, 0]));
  const inflight: Array<{ tx: CommittedTx; object: SimObject }> = [];
  const positions = new Map<string, { height: number; index: number }>();
  const drafts: Array<Omit<Operation, 'id'>> = [];
  let txCount = 0;
  let t = 0;

  const commitBlock = () => {
    const height = committed.blocks.length + 1;
    const txs = inflight.splice(0, 1 + int(3));
    for (const [index, { tx, object }] of txs.entries()) {
      const transfer = tx.transfer!;
      const remaining = new Map(object.owners);
      for (const seller of transfer.sellers) {
        const left = shares.subtract(remaining.get(seller.key)!, shares.fraction(seller.share));
        if (left.n > 0n) remaining.set(seller.key, left);
        else remaining.delete(seller.key);
      }
      for (const buyer of transfer.buyers)
        remaining.set(buyer.key, shares.add(remaining.get(buyer.key) ?? shares.ZERO, shares.fraction(buyer.share)));
      object.owners = remaining;
      object.version++;
      object.versions.push({ version: object.version, owners: ownersOf(remaining), fromHeight: height });
      object.busy = false;
      positions.set(tx.hash, { height, index });
    }
    committed.blocks.push({ height, txs: txs.map(({ tx }) => tx) });
    // one node commits it at once; the others follow step by step
    heights.set(pick(nodes), height);
  };
  const sync = (node: string): SyncReport => {
    const height = heights.get(node)!;
    return { height, online: true, syncing: height < committed.blocks.length };
  };
  const stateAt = (object: SimObject, height: number) => object.versions.findLast((v) => v.fromHeight <= height)!;

  const submit = (client: string, node: string, completedMs: number) => {
    const object = pick(objects.filter((o) => !o.busy));
    if (!object) return;
    const hash = hex('tx', txCount++);
    const sellers = [...object.owners].map(([k, share]) => ({ key: k, share }));
    // a whole sale by every owner, or one owner selling half of their share
    const sold =
      random() < 0.3
        ? [{ key: sellers[0]!.key, share: { n: sellers[0]!.share.n, d: sellers[0]!.share.d * 2n } }]
        : sellers;
    const total = sold.reduce((sum, seller) => shares.add(sum, seller.share), shares.ZERO);
    const buyers =
      random() < 0.5 ? [pick(parties)] : [pick(parties), pick(parties)].filter((b, i, all) => all.indexOf(b) === i);
    const each = { n: total.n, d: total.d * BigInt(buyers.length) };
    const tx: CommittedTx = {
      hash,
      type: 'transfer',
      transfer: {
        objectId: object.id,
        objectVersion: object.version,
        sellers: sold.map((seller) => ({
          key: seller.key,
          share: shares.toShare(shares.add(seller.share, shares.ZERO)),
        })),
        buyers: buyers.map((buyer) => ({ key: buyer, share: shares.toShare(shares.add(each, shares.ZERO)) })),
      },
    };
    const roll = random();
    const answer: SubmitOperation['answer'] =
      roll < 0.65
        ? { kind: 'pending', via: random() < 0.9 ? 'mempool' : 'outbox' }
        : roll < 0.8
          ? { kind: 'rejected', code: pick(['MEMPOOL_FULL', 'STALE_VERSION', 'OVERLOADED']), status: 409 }
          : { kind: 'unknown', reason: pick(['unreachable', 'crash', 'timeout'] as const) };
    // an unanswered submission commits or not; a refused one does not
    const commits = answer.kind === 'pending' || (answer.kind === 'unknown' && random() < 0.5);
    if (commits) {
      object.busy = true;
      inflight.push({ tx, object });
    }
    const input = { txHash: hash, objectId: object.id, objectVersion: object.version };
    drafts.push({ kind: 'submit', client, node, invokedMs: t, completedMs, input, answer });
    // the client sends an acknowledged one again: the node says it already has it
    if (answer.kind === 'pending' && random() < 0.15)
      drafts.push({
        kind: 'submit',
        client,
        node: pick(nodes),
        invokedMs: completedMs + 1,
        completedMs: completedMs + 2,
        input,
        answer: { kind: 'rejected', code: 'ALREADY_PENDING', status: 409 },
      });
  };

  const receipt = (client: string, node: string, completedMs: number) => {
    const known = [...positions.keys()];
    if (known.length === 0) return;
    const hash = pick(known);
    const place = positions.get(hash)!;
    const answer: Operation['answer'] =
      heights.get(node)! >= place.height
        ? { kind: 'final', height: place.height, index: place.index }
        : { kind: 'pending' };
    drafts.push({ kind: 'receipt', client, node, invokedMs: t, completedMs, input: { txHash: hash }, answer });
  };

  const read = (client: string, node: string, completedMs: number) => {
    // mostly objects with recent transfers: where staleness would show
    const object = random() < 0.7 ? pick(objects.filter((o) => o.version > 1).concat(objects[0]!)) : pick(objects);
    if (random() < 0.05) {
      drafts.push({
        kind: 'read',
        client,
        node,
        invokedMs: t,
        completedMs,
        input: { objectId: object.id },
        answer: { kind: 'error', message: 'timeout' },
      });
      return;
    }
    const before = sync(node);
    const state = stateAt(object, before.height);
    drafts.push({
      kind: 'read',
      client,
      node,
      invokedMs: t,
      completedMs,
      input: { objectId: object.id },
      answer: {
        kind: 'record',
        version: state.version,
        owners: state.owners,
        asOfHeight: before.height,
        before,
        after: before,
      },
    });
  };

  for (let step = 0; step < steps; step++) {
    t += 1 + int(20);
    if (inflight.length > 0 && random() < 0.25) commitBlock();
    for (const node of nodes)
      if (heights.get(node)! < committed.blocks.length && random() < 0.4) heights.set(node, heights.get(node)! + 1);
    const client = pick(clients);
    if (busyUntil.get(client)! > t) continue;
    const node = pick(nodes);
    const completedMs = t + 1 + int(30);
    busyUntil.set(client, completedMs);
    const roll = random();
    if (roll < 0.35) submit(client, node, completedMs);
    else if (roll < 0.5) receipt(client, node, completedMs);
    else read(client, node, completedMs);
  }
  // the settle: what is still in flight commits
  while (inflight.length > 0) commitBlock();

  const operations = drafts
    .sort((a, b) => a.invokedMs - b.invokedMs)
    .map((draft, i) => ({ ...draft, id: i + 1 }) as Operation);
  return { operations, committed };
}

/** A known violation injected into an honest history, and the rule that must name it. */
export interface Injection {
  rule: Rule;
  /** A word for the test's message. */
  name: string;
  inject(simulated: Simulated, random: () => number): Simulated | undefined;
}

const clone = (simulated: Simulated): Simulated => structuredClone(simulated);
const committedTxs = (s: Simulated) =>
  s.committed.blocks.flatMap((block) => block.txs.map((tx, index) => ({ tx, height: block.height, index })));
const nextId = (s: Simulated) => Math.max(0, ...s.operations.map((op) => op.id)) + 1;
const acknowledged = (s: Simulated) =>
  new Set(
    s.operations
      .filter((op): op is SubmitOperation => op.kind === 'submit' && op.answer.kind === 'pending')
      .map((op) => op.input.txHash),
  );

/** The object's versions as the honest chain has them: the replay the checker also makes. */
function versionsOf(s: Simulated, objectId: string): Array<{ version: number; owners: Owner[]; fromHeight: number }> {
  const start = s.committed.objects.find((o) => o.id === objectId)!;
  let owners = new Map(start.owners.map((o) => [o.key, shares.fraction(o.share)]));
  const versions = [{ version: start.version, owners: start.owners, fromHeight: 0 }];
  for (const { tx, height } of committedTxs(s)) {
    if (tx.transfer?.objectId !== objectId) continue;
    owners = new Map(owners);
    for (const seller of tx.transfer.sellers) {
      const left = shares.subtract(owners.get(seller.key)!, shares.fraction(seller.share));
      if (left.n > 0n) owners.set(seller.key, left);
      else owners.delete(seller.key);
    }
    for (const buyer of tx.transfer.buyers)
      owners.set(buyer.key, shares.add(owners.get(buyer.key) ?? shares.ZERO, shares.fraction(buyer.share)));
    versions.push({ version: versions.at(-1)!.version + 1, owners: ownersOf(owners), fromHeight: height });
  }
  return versions;
}

/** An older read of an object, consistent with the height it names: what a node one version behind answers. */
function olderRead(
  s: Simulated,
  objectId: string,
  below: number,
  fields: { client: string; node: string; invokedMs: number; inSync: boolean },
): ReadOperation | undefined {
  const versions = versionsOf(s, objectId);
  const newer = versions.find((v) => v.version === below);
  const older = versions.find((v) => v.version === below - 1);
  if (!newer || !older) return undefined;
  const height = newer.fromHeight - 1;
  const report = { height, online: true, syncing: !fields.inSync };
  return {
    id: nextId(s),
    kind: 'read',
    client: fields.client,
    node: fields.node,
    invokedMs: fields.invokedMs,
    completedMs: fields.invokedMs + 1,
    input: { objectId },
    answer: {
      kind: 'record',
      version: older.version,
      owners: older.owners,
      asOfHeight: height,
      before: report,
      after: report,
    },
  };
}

const recordReads = (s: Simulated) =>
  s.operations.filter(
    (op): op is ReadOperation & { answer: { kind: 'record' } } =>
      op.kind === 'read' && op.answer.kind === 'record' && op.answer.version > 1,
  );

export const INJECTIONS: Injection[] = [
  {
    rule: 'lost-write',
    name: 'a lost write (acknowledged, never committed)',
    inject(original, random) {
      const s = clone(original);
      const acked = acknowledged(s);
      const candidates = committedTxs(s).filter(({ tx }) => acked.has(tx.hash));
      if (candidates.length === 0) return undefined;
      const { height, index } = candidates[Math.floor(random() * candidates.length)]!;
      s.committed.blocks[height - 1]!.txs.splice(index, 1);
      return s;
    },
  },
  {
    rule: 'doubled-commit',
    name: 'a doubled commit',
    inject(original, random) {
      const s = clone(original);
      const all = committedTxs(s);
      if (all.length === 0) return undefined;
      const { tx } = all[Math.floor(random() * all.length)]!;
      s.committed.blocks.push({ height: s.committed.blocks.length + 1, txs: [tx] });
      return s;
    },
  },
  {
    rule: 'never-submitted',
    name: 'a committed transaction never submitted',
    inject(original, random) {
      const s = clone(original);
      const all = committedTxs(s);
      if (all.length === 0) return undefined;
      const { tx } = all[Math.floor(random() * all.length)]!;
      s.operations = s.operations.filter((op) => !(op.kind === 'submit' && op.input.txHash === tx.hash));
      return s;
    },
  },
  {
    rule: 'version-gap',
    name: "a gap in an object's version chain",
    inject(original, random) {
      const s = clone(original);
      const transfers = committedTxs(s).filter(({ tx }) => tx.transfer);
      if (transfers.length === 0) return undefined;
      const { tx } = transfers[Math.floor(random() * transfers.length)]!;
      // the object's last transfer skips a version
      const last = transfers.findLast(({ tx: other }) => other.transfer!.objectId === tx.transfer!.objectId)!;
      last.tx.transfer!.objectVersion++;
      return s;
    },
  },
  {
    rule: 'double-sale',
    name: 'a double sale (two transfers naming one version)',
    inject(original, random) {
      const s = clone(original);
      const transfers = committedTxs(s).filter(({ tx }) => tx.transfer);
      if (transfers.length === 0) return undefined;
      const { tx } = transfers[Math.floor(random() * transfers.length)]!;
      const hash = hex('dup', nextId(s));
      const again: CommittedTx = {
        ...tx,
        hash,
        transfer: { ...tx.transfer!, buyers: [{ key: key(99), share: [1, 1] }] },
      };
      s.committed.blocks.push({ height: s.committed.blocks.length + 1, txs: [again] });
      const at = Math.max(...s.operations.map((op) => op.completedMs)) + 1;
      s.operations.push({
        id: nextId(s),
        kind: 'submit',
        client: 'client-x',
        node: 'node-0',
        invokedMs: at,
        completedMs: at + 1,
        input: { txHash: hash },
        answer: { kind: 'pending', via: 'mempool' },
      });
      return s;
    },
  },
  {
    rule: 'stale-read',
    name: 'a stale read after finality from a node reporting itself in sync',
    inject(original, random) {
      const s = clone(original);
      const seen = recordReads(s);
      if (seen.length === 0) return undefined;
      const known = seen[Math.floor(random() * seen.length)]!;
      const read = olderRead(s, known.input.objectId, known.answer.version, {
        client: 'client-fresh',
        node: 'node-fresh',
        invokedMs: known.completedMs + 1 + random() * 50,
        inSync: true,
      });
      if (!read) return undefined;
      s.operations.push(read);
      return s;
    },
  },
  {
    rule: 'non-monotonic-read',
    name: 'a non-monotonic read on one node',
    inject(original, random) {
      const s = clone(original);
      const seen = recordReads(s);
      if (seen.length === 0) return undefined;
      const earlier = seen[Math.floor(random() * seen.length)]!;
      // the same node, a fresh client, saying it is behind: only the node's own monotonicity is broken
      const read = olderRead(s, earlier.input.objectId, earlier.answer.version, {
        client: 'client-fresh',
        node: earlier.node,
        invokedMs: earlier.completedMs + 1 + random() * 50,
        inSync: false,
      });
      if (!read) return undefined;
      s.operations.push(read);
      return s;
    },
  },
  {
    rule: 'non-monotonic-read',
    name: 'a non-monotonic read by one client',
    inject(original, random) {
      const s = clone(original);
      const seen = recordReads(s);
      if (seen.length === 0) return undefined;
      const earlier = seen[Math.floor(random() * seen.length)]!;
      const read = olderRead(s, earlier.input.objectId, earlier.answer.version, {
        client: earlier.client,
        node: 'node-fresh',
        invokedMs: earlier.completedMs + 1 + random() * 50,
        inSync: true,
      });
      if (!read) return undefined;
      s.operations.push(read);
      return s;
    },
  },
];
