// The one place that turns a validator's outcome into Accept / Ignore / Reject, and that
// logs and counts it. Reject lowers the sender's gossipsub score, so it is kept for faults
// that are the sender's whatever our own state is; anything that might be our own lag
// (an old version, an expired transaction, a block we cannot place yet) is Ignore.
import { LedgerError, RejectCode } from '../../../../shared/ledger/index.js';
import { GossipAction, GossipValidationError } from '../errors.js';
import type { NetworkLogger, TopicCounters, TopicKind } from '../interface.js';

/** Ledger rejections that no state can make valid: the bytes or signatures themselves are wrong. */
const LEDGER_REJECT: ReadonlySet<string> = new Set<string>([
  RejectCode.malformed,
  RejectCode.wrongChain,
  RejectCode.badSignature,
  RejectCode.missingSignature,
  RejectCode.unexpectedSigner,
]);

/** Codes of other typed errors (MessageError, CodecError) that mean the bytes are not a message. */
const MALFORMED_CODES: ReadonlySet<string> = new Set(['MALFORMED', 'MESSAGE_TOO_LARGE']);

/** Distinct reason codes kept per topic in metrics; more are counted as OTHER (bounded memory). */
export const REASON_CODES_MAX = 64;

export interface GossipVerdict {
  action: GossipAction;
  /** Machine-readable reason: the error's code, or `ACCEPTED` / `UNEXPECTED_ERROR`. */
  code: string;
  /** The error was not a typed one: a bug in a validator, logged loudly and ignored (no penalty). */
  unexpected: boolean;
}

export function toGossipAction(error: unknown): GossipVerdict {
  if (error === undefined) return { action: GossipAction.accept, code: 'ACCEPTED', unexpected: false };
  if (error instanceof GossipValidationError) return { action: error.action, code: error.code, unexpected: false };
  if (error instanceof LedgerError) {
    return {
      action: LEDGER_REJECT.has(error.code) ? GossipAction.reject : GossipAction.ignore,
      code: error.code,
      unexpected: false,
    };
  }
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  if (code !== undefined && MALFORMED_CODES.has(code)) return { action: GossipAction.reject, code, unexpected: false };
  // A typed error we have no rule for (INVALID_BLOCK, INVALID_COMMIT, ...) may depend on our
  // own height: the node's validators throw GossipValidationError where they know better.
  if (code !== undefined) return { action: GossipAction.ignore, code, unexpected: false };
  return { action: GossipAction.ignore, code: 'UNEXPECTED_ERROR', unexpected: true };
}

export function emptyCounters(): TopicCounters {
  return { accepted: 0, ignored: 0, rejected: 0, dropped: 0, handlerErrors: 0, published: 0, reasons: {} };
}

/** Maps, counts and logs one validation outcome; returns the action for gossipsub. */
export function recordVerdict(
  counters: TopicCounters,
  log: NetworkLogger,
  context: { kind: TopicKind; fromPeerId: string; bytes: number },
  error: unknown,
): GossipVerdict {
  const verdict = toGossipAction(error);
  const fields = { topic: context.kind, peer: context.fromPeerId, bytes: context.bytes, code: verdict.code };
  switch (verdict.action) {
    case GossipAction.accept:
      counters.accepted++;
      return verdict;
    case GossipAction.ignore:
      counters.ignored++;
      if (verdict.unexpected)
        log.error({ ...fields, error: String(error) }, 'gossip validator failed unexpectedly; message ignored');
      else log.debug({ ...fields, reason: (error as Error).message }, 'gossip message ignored');
      break;
    case GossipAction.reject:
      counters.rejected++;
      log.warn({ ...fields, reason: (error as Error).message }, 'gossip message rejected; sender penalised');
      break;
  }
  countReason(counters, verdict.code);
  return verdict;
}

/** Reason codes are UPPER_SNAKE; anything else (or a new code past the cap) is counted as OTHER. */
const REASON_CODE = /^[A-Z][A-Z0-9_]{0,47}$/;

export function countReason(counters: TopicCounters, code: string): void {
  const known =
    REASON_CODE.test(code) &&
    (Object.hasOwn(counters.reasons, code) || Object.keys(counters.reasons).length < REASON_CODES_MAX);
  const key = known ? code : 'OTHER';
  counters.reasons[key] = (counters.reasons[key] ?? 0) + 1;
}
