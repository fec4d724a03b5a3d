// The history checker of issue 19: a pure function of what clients saw (history.ts) and the
// chain as read at the end. It replays the committed transfers over the objects as they stood
// before block 1 and judges every operation against that one history:
//   - every acknowledged transaction is committed exactly once; nothing committed was never submitted;
//     an answer "final at height h" matches where the chain has the transaction;
//   - each object's versions form one gapless chain, each transfer names the version it consumed
//     (no double sale) and its sellers owned what they sold (no lost update);
//   - a read returns the record the chain holds at the height it is proved at;
//   - reads are monotonic per node, and per client unless the later read's node says it is behind;
//   - a read from a node that says it is in sync is not older than a version some operation had
//     already seen final when the read started (no stale read after finality).
// Deterministic, no I/O, no clock: the same inputs give the same verdict and the same sentences.
import * as shares from '../../shared/modules/property/shares.js';
import type { Owner } from '../../shared/ledger/index.js';
import type { Operation, ReadOperation, ReceiptOperation, SubmitOperation, SyncReport } from './history.js';

export interface CommittedTransfer {
  objectId: string;
  /** The version the contract names: the one it consumes. */
  objectVersion: number;
  sellers: Owner[];
  buyers: Owner[];
}

export interface CommittedTx {
  hash: string;
  type: string;
  /** Present for a transfer: its contract as the ledger records it. */
  transfer?: CommittedTransfer;
}

/** The chain as read at the end: the objects before block 1, then blocks 1..n in order. */
export interface CommittedChain {
  objects: Array<{ id: string; version: number; owners: Owner[] }>;
  blocks: Array<{ height: number; txs: CommittedTx[] }>;
}

/** In the order they are checked: a violation of an earlier rule is named first. */
export const RULES = [
  'lost-write',
  'doubled-commit',
  'never-submitted',
  'false-finality',
  'version-gap',
  'double-sale',
  'seller-not-owner',
  'shares-not-conserved',
  'read-not-committed',
  'non-monotonic-read',
  'stale-read',
] as const;
export type Rule = (typeof RULES)[number];

export interface Violation {
  rule: Rule;
  sentence: string;
  operations: Operation[];
}

export interface HistoryCounts {
  operations: number;
  submissions: number;
  /** Distinct transactions submitted. */
  transactions: number;
  /** Distinct transactions some node answered pending or final to. */
  acknowledged: number;
  /** Submissions answered with a refusal, and with no answer (unreachable, crash, timeout). */
  rejectedAnswers: number;
  unknownAnswers: number;
  /** Distinct transactions in the chain, and those of them no submission was acknowledged (allowed). */
  committed: number;
  committedUnacknowledged: number;
  lost: number;
  doubled: number;
  neverSubmitted: number;
  falseFinality: number;
  versionGaps: number;
  doubleSales: number;
  sellersNotOwners: number;
  sharesNotConserved: number;
  reads: number;
  readsInSync: number;
  readsBehind: number;
  readErrors: number;
  /** Reads of an object the chain does not hold, or proved at a height beyond the chain read at the end. */
  readsUnverified: number;
  readsNotCommitted: number;
  staleReads: number;
  nonMonotonicReads: number;
  receipts: number;
}

export interface HistoryVerdict {
  ok: boolean;
  counts: HistoryCounts;
  firstViolation?: Violation;
  /** At most VIOLATIONS_LISTED, in rule order; the counts have them all. */
  violations: Violation[];
  violationsTotal: number;
}

export const VIOLATIONS_LISTED = 50;

/** The count each rule's violations add to (the read rules count reads, which may break two rules at once). */
export const RULE_COUNTS: Readonly<Record<Rule, keyof HistoryCounts>> = {
  'lost-write': 'lost',
  'doubled-commit': 'doubled',
  'never-submitted': 'neverSubmitted',
  'false-finality': 'falseFinality',
  'version-gap': 'versionGaps',
  'double-sale': 'doubleSales',
  'seller-not-owner': 'sellersNotOwners',
  'shares-not-conserved': 'sharesNotConserved',
  'read-not-committed': 'readsNotCommitted',
  'non-monotonic-read': 'nonMonotonicReads',
  'stale-read': 'staleReads',
};

/**
 * A node reports itself in sync around a read when the answer said so (decision #69) and its
 * status said online, not syncing and in sync, before and after.
 */
export function reportsInSync(answer: { inSync?: boolean; before?: SyncReport; after?: SyncReport }): boolean {
  const { before, after } = answer;
  const says = (report: SyncReport) => report.online && !report.syncing && report.inSync !== false;
  return answer.inSync !== false && !!before && !!after && says(before) && says(after);
}

export function checkHistory(history: readonly Operation[], committed: CommittedChain): HistoryVerdict {
  const byRule = new Map<Rule, Violation[]>(RULES.map((rule) => [rule, []]));
  const violate = (rule: Rule, sentence: string, operations: Operation[]) =>
    byRule.get(rule)!.push({ rule, sentence, operations });
  const operations = [...history].sort((a, b) => a.id - b.id);
  const submits = operations.filter((op): op is SubmitOperation => op.kind === 'submit');
  const reads = operations.filter((op): op is ReadOperation => op.kind === 'read');
  const receipts = operations.filter((op): op is ReceiptOperation => op.kind === 'receipt');

  const chain = replayChain(committed, violate, submitsByHash(submits));
  const transactions = checkTransactions(submits, receipts, chain, violate);
  const readCounts = checkReads(reads, [...submits, ...receipts], chain, violate);

  const violations = RULES.flatMap((rule) => byRule.get(rule)!);
  const counts: HistoryCounts = {
    operations: operations.length,
    submissions: submits.length,
    transactions: transactions.submitted,
    acknowledged: transactions.acknowledged,
    rejectedAnswers: submits.filter((op) => op.answer.kind === 'rejected').length,
    unknownAnswers: submits.filter((op) => op.answer.kind === 'unknown').length,
    committed: chain.positions.size,
    committedUnacknowledged: transactions.committedUnacknowledged,
    lost: byRule.get('lost-write')!.length,
    doubled: byRule.get('doubled-commit')!.length,
    neverSubmitted: byRule.get('never-submitted')!.length,
    falseFinality: byRule.get('false-finality')!.length,
    versionGaps: byRule.get('version-gap')!.length,
    doubleSales: byRule.get('double-sale')!.length,
    sellersNotOwners: byRule.get('seller-not-owner')!.length,
    sharesNotConserved: byRule.get('shares-not-conserved')!.length,
    ...readCounts,
    receipts: receipts.length,
  };
  return {
    ok: violations.length === 0,
    counts,
    ...(violations.length > 0 ? { firstViolation: violations[0]! } : {}),
    violations: violations.slice(0, VIOLATIONS_LISTED),
    violationsTotal: violations.length,
  };
}

type Violate = (rule: Rule, sentence: string, operations: Operation[]) => void;

interface ObjectState {
  version: number;
  owners: Map<string, shares.Fraction>;
  /** Each version with the height it took effect at (0: before block 1), oldest first. */
  versions: Array<{ version: number; owners: Map<string, shares.Fraction>; key: string; fromHeight: number }>;
  /** Which committed transfer consumed each version. */
  consumedBy: Map<number, { hash: string; at: string }>;
}

interface ReplayedChain {
  lastHeight: number;
  /** Every place a transaction hash appears, in chain order. */
  positions: Map<string, Array<{ height: number; index: number }>>;
  objects: Map<string, ObjectState>;
  /** The version a committed transfer produced, by its hash. */
  versionAfter: Map<string, { objectId: string; version: number }>;
}

function submitsByHash(submits: SubmitOperation[]): Map<string, SubmitOperation[]> {
  return groupBy(submits, (op) => op.input.txHash);
}

function replayChain(
  committed: CommittedChain,
  violate: Violate,
  submits: Map<string, SubmitOperation[]>,
): ReplayedChain {
  const objects = new Map<string, ObjectState>();
  for (const object of committed.objects) {
    const owners = new Map(object.owners.map((owner) => [owner.key, shares.fraction(owner.share)]));
    objects.set(object.id, {
      version: object.version,
      owners,
      versions: [{ version: object.version, owners, key: ownersKey(owners), fromHeight: 0 }],
      consumedBy: new Map(),
    });
  }
  const positions = new Map<string, Array<{ height: number; index: number }>>();
  const versionAfter = new Map<string, { objectId: string; version: number }>();
  let lastHeight = 0;
  for (const block of committed.blocks) {
    // A malformed chain is the caller's bug, not a finding about the run.
    if (block.height !== lastHeight + 1)
      throw new Error(`committed chain: block ${block.height} follows ${lastHeight}`);
    lastHeight = block.height;
    for (const [index, tx] of block.txs.entries()) {
      const seen = positions.get(tx.hash);
      positions.set(tx.hash, [...(seen ?? []), { height: block.height, index }]);
      // The doubled copy is doubled-commit's finding; replaying it again would only repeat it as a double sale.
      if (seen || !tx.transfer) continue;
      const after = applyTransfer(tx, tx.transfer, `${block.height}/${index}`, block.height, objects, submits, violate);
      if (after !== undefined) versionAfter.set(tx.hash, { objectId: tx.transfer.objectId, version: after });
    }
  }
  return { lastHeight, positions, objects, versionAfter };
}

/** Applies one committed transfer; returns the version it produced, or undefined if it consumed none. */
function applyTransfer(
  tx: CommittedTx,
  transfer: CommittedTransfer,
  at: string,
  height: number,
  objects: Map<string, ObjectState>,
  submits: Map<string, SubmitOperation[]>,
  violate: Violate,
): number | undefined {
  const { objectId, objectVersion } = transfer;
  const ops = (hash: string) => submits.get(hash) ?? [];
  const object = objects.get(objectId);
  if (!object) {
    violate(
      'version-gap',
      `transfer ${short(tx.hash)} at ${at} names version ${objectVersion} of object ${objectId}, which no earlier version of the chain holds`,
      ops(tx.hash),
    );
    return undefined;
  }
  if (objectVersion < object.version) {
    const earlier = object.consumedBy.get(objectVersion);
    violate(
      'double-sale',
      earlier
        ? `transfers ${short(earlier.hash)} at ${earlier.at} and ${short(tx.hash)} at ${at} both name version ${objectVersion} of object ${objectId}: the object was sold twice from one version`
        : `transfer ${short(tx.hash)} at ${at} names version ${objectVersion} of object ${objectId}, which was already at version ${object.version}`,
      [...(earlier ? ops(earlier.hash) : []), ...ops(tx.hash)],
    );
    return undefined;
  }
  if (objectVersion > object.version) {
    violate(
      'version-gap',
      `transfer ${short(tx.hash)} at ${at} names version ${objectVersion} of object ${objectId}, but the chain has it at version ${object.version}: versions ${object.version} to ${objectVersion - 1} are missing`,
      ops(tx.hash),
    );
  }
  const remaining = new Map(object.owners);
  for (const seller of transfer.sellers) {
    const owned = remaining.get(seller.key) ?? shares.ZERO;
    const sold = shares.fraction(seller.share);
    if (shares.compare(sold, owned) > 0) {
      violate(
        'seller-not-owner',
        `transfer ${short(tx.hash)} at ${at} sells ${shares.format(seller.share)} of object ${objectId} from ${short(seller.key)}, who owned ${owned.n}/${owned.d} at version ${objectVersion} (owners ${ownersText(object.owners)}): an update was lost`,
        ops(tx.hash),
      );
    }
    const left = shares.subtract(owned, sold);
    if (left.n > 0n) remaining.set(seller.key, left);
    else remaining.delete(seller.key);
  }
  const sold = shares.sum(transfer.sellers.map((seller) => seller.share));
  const bought = shares.sum(transfer.buyers.map((buyer) => buyer.share));
  if (shares.compare(sold, bought) !== 0) {
    violate(
      'shares-not-conserved',
      `transfer ${short(tx.hash)} at ${at} on object ${objectId}: sellers give ${sold.n}/${sold.d} but buyers receive ${bought.n}/${bought.d}`,
      ops(tx.hash),
    );
  }
  for (const buyer of transfer.buyers)
    remaining.set(buyer.key, shares.add(remaining.get(buyer.key) ?? shares.ZERO, shares.fraction(buyer.share)));
  object.consumedBy.set(objectVersion, { hash: tx.hash, at });
  object.owners = remaining;
  object.version = objectVersion + 1;
  object.versions.push({ version: object.version, owners: remaining, key: ownersKey(remaining), fromHeight: height });
  return object.version;
}

function checkTransactions(
  submits: SubmitOperation[],
  receipts: ReceiptOperation[],
  chain: ReplayedChain,
  violate: Violate,
): { submitted: number; acknowledged: number; committedUnacknowledged: number } {
  const bySubmitted = submitsByHash(submits);
  const acknowledged = new Map<string, SubmitOperation>();
  for (const op of submits)
    if ((op.answer.kind === 'pending' || op.answer.kind === 'final') && !acknowledged.has(op.input.txHash))
      acknowledged.set(op.input.txHash, op);
  for (const [hash, op] of acknowledged) {
    // RULE: an acknowledged transaction is in the chain (lost-write) ...
    if (!chain.positions.has(hash))
      violate(
        'lost-write',
        `transaction ${short(hash)} was acknowledged (${describe(op)}) but the chain to height ${chain.lastHeight} does not hold it`,
        bySubmitted.get(hash)!,
      );
  }
  for (const [hash, places] of chain.positions) {
    // ... exactly once (doubled-commit) ...
    if (places.length > 1)
      violate(
        'doubled-commit',
        `transaction ${short(hash)} is committed ${places.length} times, at ${places.map((p) => `${p.height}/${p.index}`).join(' and ')}`,
        bySubmitted.get(hash) ?? [],
      );
    // ... and nothing is committed that no client submitted (never-submitted).
    if (!bySubmitted.has(hash))
      violate(
        'never-submitted',
        `transaction ${short(hash)} is committed at ${places[0]!.height}/${places[0]!.index} but no client ever submitted it`,
        [],
      );
  }
  for (const op of [...submits, ...receipts]) {
    if (op.answer.kind !== 'final') continue;
    const { height, index } = op.answer;
    if (height > chain.lastHeight) continue;
    const places = chain.positions.get(op.input.txHash) ?? [];
    // RULE: "final at height h" is where the chain has the transaction (false-finality).
    if (!places.some((p) => p.height === height && (index === undefined || p.index === index)))
      violate(
        'false-finality',
        `${describe(op)} said transaction ${short(op.input.txHash)} was final at ${height}${index === undefined ? '' : `/${index}`}, but the chain has it ${places.length > 0 ? `at ${places.map((p) => `${p.height}/${p.index}`).join(' and ')}` : 'nowhere'}`,
        [op],
      );
  }
  return {
    submitted: bySubmitted.size,
    acknowledged: acknowledged.size,
    committedUnacknowledged: [...chain.positions.keys()].filter(
      (hash) => bySubmitted.has(hash) && !acknowledged.has(hash),
    ).length,
  };
}

type RecordRead = ReadOperation & { answer: Extract<ReadOperation['answer'], { kind: 'record' }> };

function checkReads(
  reads: ReadOperation[],
  finalityAnswers: Array<SubmitOperation | ReceiptOperation>,
  chain: ReplayedChain,
  violate: Violate,
): Pick<
  HistoryCounts,
  | 'reads'
  | 'readsInSync'
  | 'readsBehind'
  | 'readErrors'
  | 'readsUnverified'
  | 'readsNotCommitted'
  | 'staleReads'
  | 'nonMonotonicReads'
> {
  const records = reads.filter((op): op is RecordRead => op.answer.kind === 'record');
  let unverified = 0;
  const notCommitted = new Set<number>();
  for (const read of records) {
    const object = chain.objects.get(read.input.objectId);
    const { version, owners, asOfHeight } = read.answer;
    if (!object || asOfHeight > chain.lastHeight) {
      unverified++;
      continue;
    }
    const expected = object.versions.findLast((entry) => entry.fromHeight <= asOfHeight)!;
    const got = new Map(owners.map((owner) => [owner.key, shares.fraction(owner.share)]));
    // RULE: a read returns the record the chain holds at the height it is proved at (read-not-committed).
    if (expected.version !== version || expected.key !== ownersKey(got)) {
      notCommitted.add(read.id);
      violate(
        'read-not-committed',
        `${describe(read)} answered version ${version} (owners ${ownersText(got)}) as of height ${asOfHeight}, but at height ${asOfHeight} the chain has version ${expected.version} (owners ${ownersText(expected.owners)})`,
        [read],
      );
    }
  }
  const nonMonotonic = checkMonotonic(records, violate);
  const stale = checkStale(records, finalityAnswers, chain, violate);
  const inSync = records.filter((read) => reportsInSync(read.answer)).length;
  return {
    reads: reads.length,
    readsInSync: inSync,
    readsBehind: records.length - inSync,
    readErrors: reads.length - records.length,
    readsUnverified: unverified,
    readsNotCommitted: notCommitted.size,
    staleReads: stale,
    nonMonotonicReads: nonMonotonic,
  };
}

/** Per node always; per client unless the later read's node reports itself behind. Returns the reads flagged. */
function checkMonotonic(records: RecordRead[], violate: Violate): number {
  const flagged = new Set<number>();
  for (const scope of ['node', 'client'] as const) {
    const groups = groupBy(
      records,
      (read) => `${scope === 'node' ? read.node : read.client}\u0000${read.input.objectId}`,
    );
    for (const group of groups.values()) {
      // A node's own state never goes back; a client may meet a node behind, which says so.
      const judged = scope === 'node' ? group : group.filter((read) => reportsInSync(read.answer));
      const earlier = priorMaximum(
        group.map((read) => ({ atMs: read.completedMs, value: read.answer.version, op: read as Operation })),
        judged,
      );
      for (const read of judged) {
        const best = earlier.get(read.id);
        // RULE: a later read (started after an earlier one finished) never returns an older version (non-monotonic-read).
        if (!best || read.answer.version >= best.value) continue;
        flagged.add(read.id);
        violate(
          'non-monotonic-read',
          scope === 'node'
            ? `${describe(read)} returned version ${read.answer.version} after ${describe(best.op)} on the same node had returned version ${best.value}: the node went back`
            : `${describe(read)} returned version ${read.answer.version} from a node reporting itself in sync, after ${describe(best.op)} by the same client had returned version ${best.value}`,
          [best.op, read],
        );
      }
    }
  }
  return flagged.size;
}

/** Reads from nodes that report themselves in sync, against every version known final when they started. Returns the reads flagged. */
function checkStale(
  records: RecordRead[],
  finalityAnswers: Array<SubmitOperation | ReceiptOperation>,
  chain: ReplayedChain,
  violate: Violate,
): number {
  // What clients knew was final, and when: a version read anywhere, or a transaction answered final.
  const known: Array<{ objectId: string; atMs: number; value: number; op: Operation }> = records.map((read) => ({
    objectId: read.input.objectId,
    atMs: read.completedMs,
    value: read.answer.version,
    op: read,
  }));
  for (const op of finalityAnswers) {
    const produced = op.answer.kind === 'final' ? chain.versionAfter.get(op.input.txHash) : undefined;
    if (produced) known.push({ objectId: produced.objectId, atMs: op.completedMs, value: produced.version, op });
  }
  const knownByObject = groupBy(known, (entry) => entry.objectId);
  const readsByObject = groupBy(
    records.filter((read) => reportsInSync(read.answer)),
    (read) => read.input.objectId,
  );
  let stale = 0;
  for (const [objectId, group] of readsByObject) {
    const earlier = priorMaximum(knownByObject.get(objectId) ?? [], group);
    for (const read of group) {
      const best = earlier.get(read.id);
      // RULE: a node that says it is in sync does not answer older than what was already final (stale-read).
      if (!best || read.answer.version >= best.value) continue;
      stale++;
      const { before, after } = read.answer;
      violate(
        'stale-read',
        `${describe(read)} returned version ${read.answer.version} as of height ${read.answer.asOfHeight}, reporting itself in sync (height ${before!.height} before, ${after!.height} after), though ${describe(best.op)} had already seen version ${best.value} final before the read started`,
        [best.op, read],
      );
    }
  }
  return stale;
}

/**
 * For each query, the event with the greatest value among those completed strictly before the
 * query was invoked (real-time order; overlapping operations are concurrent, so never ordered).
 */
function priorMaximum(
  events: Array<{ atMs: number; value: number; op: Operation }>,
  queries: Array<{ id: number; invokedMs: number }>,
): Map<number, { value: number; op: Operation }> {
  const sortedEvents = [...events].sort((a, b) => a.atMs - b.atMs || a.op.id - b.op.id);
  const sortedQueries = [...queries].sort((a, b) => a.invokedMs - b.invokedMs || a.id - b.id);
  const result = new Map<number, { value: number; op: Operation }>();
  let best: { value: number; op: Operation } | undefined;
  let next = 0;
  for (const query of sortedQueries) {
    while (next < sortedEvents.length && sortedEvents[next]!.atMs < query.invokedMs) {
      const event = sortedEvents[next++]!;
      if (!best || event.value > best.value) best = { value: event.value, op: event.op };
    }
    if (best) result.set(query.id, best);
  }
  return result;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Owners in one canonical form (sorted keys, reduced shares, none at zero) for comparison. */
function ownersKey(owners: Map<string, shares.Fraction>): string {
  return sortedOwners(owners)
    .map(([key, share]) => `${key}:${share.n}/${share.d}`)
    .join(' ');
}

/** The same for a sentence, with keys shortened. */
function ownersText(owners: Map<string, shares.Fraction>): string {
  const text = sortedOwners(owners).map(([key, share]) => `${short(key)} ${share.n}/${share.d}`);
  return text.length > 0 ? text.join(', ') : 'none';
}

function sortedOwners(owners: Map<string, shares.Fraction>): Array<[string, shares.Fraction]> {
  return [...owners.entries()].filter(([, share]) => share.n > 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function short(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 8)}…` : hex;
}

function describe(op: Operation): string {
  const subject =
    op.kind === 'read'
      ? `read of ${op.input.objectId}`
      : `${op.kind === 'submit' ? 'submission' : 'status query'} of ${short(op.input.txHash)}`;
  const answer =
    op.kind === 'read'
      ? ''
      : `, answered ${op.answer.kind === 'rejected' ? `rejected ${op.answer.code}` : op.answer.kind}`;
  return `op ${op.id} (${subject} on ${op.node} by ${op.client}${answer})`;
}
