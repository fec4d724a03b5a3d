// What the commission's screens compute, free of React so the unit tests read it: where an
// election stands and who acts next, a scanned credential's key, the definition a form makes,
// and the batches a desk registers.
import { generateKeyPair, isPublicKeyHex, type KeyPair } from '../../../../shared/crypto/index.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { checkDefinition } from '../../../../shared/modules/election/rules.js';
import { electionCreatePayload, ELECTION_LIMITS } from '../../../../shared/modules/election/types.js';

// ---- where an election stands ----------------------------------------------------------------

export type Stage =
  | 'dealing'
  | 'checking'
  | 'answering'
  | 'keyDue'
  | 'keyFailing'
  | 'beforeVoting'
  | 'voting'
  | 'closeDue'
  | 'decrypting'
  | 'tallyDue'
  | 'final';

export interface NextStep {
  stage: Stage;
  /** Who must act: trustees (by number), a registrar of the commission, the desks, or nobody. */
  who: 'trustees' | 'registrar' | 'desks' | 'none';
  /** The trustees (1-based) whose step it is. */
  trustees: number[];
  /** Until when the step is open, or when the next thing happens. */
  untilMs?: number;
  /** The `notary election` command that takes the step, when it is a trustee's or the CLI's. */
  command?: string;
}

const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

/** The election's step at `nowMs` by the records the node answered, and who takes it. */
export function nextStep(view: ElectionView, nowMs: number): NextStep {
  const all = range(view.trustees.length);
  switch (view.phase) {
    case 'keygen': {
      if (nowMs < view.dealsUntilMs) {
        const missing = all.filter((trustee) => !view.dealt.includes(trustee));
        if (missing.length > 0)
          return { stage: 'dealing', who: 'trustees', trustees: missing, untilMs: view.dealsUntilMs, command: 'deal' };
      }
      if (nowMs < view.complaintsUntilMs)
        return {
          stage: 'checking',
          who: 'trustees',
          trustees: view.dealt,
          untilMs: view.complaintsUntilMs,
          command: 'check-shares',
        };
      if (nowMs < view.answersUntilMs) {
        const dealers = [...new Set(view.complaints.filter((c) => !c.answered).map((c) => c.dealer))].sort(
          (a, b) => a - b,
        );
        return {
          stage: 'answering',
          who: dealers.length > 0 ? 'trustees' : 'none',
          trustees: dealers,
          untilMs: view.answersUntilMs,
          ...(dealers.length > 0 ? { command: 'answer' } : {}),
        };
      }
      // fewer dealings than the threshold: the key step can only refuse (ELECTION_TOO_FEW_QUALIFIED)
      if (view.dealt.length < view.threshold)
        return { stage: 'keyFailing', who: 'none', trustees: view.dealt, untilMs: view.closesAtMs };
      return { stage: 'keyDue', who: 'registrar', trustees: [], untilMs: view.closesAtMs, command: 'key' };
    }
    case 'voting':
      if (nowMs < view.opensAtMs) return { stage: 'beforeVoting', who: 'desks', trustees: [], untilMs: view.opensAtMs };
      if (nowMs < view.closesAtMs) return { stage: 'voting', who: 'desks', trustees: [], untilMs: view.closesAtMs };
      return { stage: 'closeDue', who: 'registrar', trustees: [] };
    case 'closed': {
      if (view.decrypted.length < view.threshold)
        return {
          stage: 'decrypting',
          who: 'trustees',
          trustees: (view.qualified ?? all).length > 0 ? all.filter((t) => !view.decrypted.includes(t)) : [],
          command: 'decrypt',
        };
      return { stage: 'tallyDue', who: 'registrar', trustees: [], command: 'tally' };
    }
    case 'final':
      return { stage: 'final', who: 'none', trustees: [] };
  }
}

/** Shares of a contest's counts in percent of the marks in it (0 when none), one decimal. */
export function percentages(counts: readonly number[]): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  return counts.map((count) => (sum === 0 ? 0 : Math.round((count / sum) * 1000) / 10));
}

// ---- credentials -----------------------------------------------------------------------------

export type CredentialProblem = 'empty' | 'secret' | 'malformed' | 'notOnCurve';
export type ParsedCredential = { key: string } | { problem: CredentialProblem };

const HEX_64 = /^[0-9a-fA-F]{64}$/;
/** How long a scanned or pasted text may be before it is refused unread. */
export const CREDENTIAL_TEXT_MAX = 4_096;

/** An ed25519 public key is a point of the curve: a typo in a 64-character key almost never is. */
function onCurve(hex: string): boolean {
  try {
    ed25519.Point.fromHex(hex);
    return true;
  } catch {
    return false;
  }
}

/**
 * The public credential key in what a voter's page shows (as text or QR): the key itself (64
 * hex characters, maybe after `credential:`), or JSON holding `publicKey` (the CLI's files).
 * A text holding a secret key is refused: the desk must never see one.
 */
export function parseCredential(raw: string): ParsedCredential {
  const text = raw.trim();
  if (text.length === 0) return { problem: 'empty' };
  if (text.length > CREDENTIAL_TEXT_MAX) return { problem: 'malformed' };
  let candidate: unknown = text.replace(/^(notary-)?credential:/i, '');
  if (/^[[{"]/.test(text)) {
    try {
      candidate = JSON.parse(text);
    } catch {
      return { problem: 'malformed' };
    }
  }
  if (Array.isArray(candidate)) {
    if (candidate.length !== 1) return { problem: 'malformed' };
    candidate = candidate[0];
  }
  if (candidate !== null && typeof candidate === 'object') {
    if ('secretKey' in candidate) return { problem: 'secret' };
    candidate = (candidate as { publicKey?: unknown }).publicKey;
  }
  if (typeof candidate !== 'string' || !HEX_64.test(candidate)) return { problem: 'malformed' };
  const key = candidate.toLowerCase();
  if (!isPublicKeyHex(key) || !onCurve(key)) return { problem: 'notOnCurve' };
  return { key };
}

/** A credential made at the desk, in the CLI's file format (`election credentials --out`). */
export function makeCredential(): { pair: KeyPair; file: string } {
  const pair = generateKeyPair();
  return { pair, file: JSON.stringify([{ secretKey: pair.secretKey, publicKey: pair.publicKey }]) };
}

/** The keys in transactions of at most 100 (ELECTION_LIMITS.credentialsPerTxMax), in order. */
export function batches<T>(items: readonly T[], size: number = ELECTION_LIMITS.credentialsPerTxMax): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

// ---- the definition a form makes ------------------------------------------------------------

export const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type Unit = keyof typeof UNIT_MS;
export interface Duration {
  value: number;
  unit: Unit;
}
export const durationMs = (duration: Duration) => Math.round(duration.value * UNIT_MS[duration.unit]);

export interface ContestForm {
  title: string;
  /** One choice a line. */
  choices: string;
  min: number;
  max: number;
}

export interface DefinitionForm {
  id: string;
  title: string;
  contests: ContestForm[];
  /** One district a line. */
  districts: string;
  trustees: { key: string; transportKey: string }[];
  threshold: number;
  rollMax: number;
  dealsIn: Duration;
  complaintsIn: Duration;
  answersIn: Duration;
  opensIn: Duration;
  votingFor: Duration;
}

/** The CLI's defaults (`election create`): a quarter of an hour each key step, a day's voting. */
export function emptyForm(): DefinitionForm {
  return {
    id: '',
    title: '',
    contests: [{ title: '', choices: '', min: 1, max: 1 }],
    districts: '',
    trustees: [
      { key: '', transportKey: '' },
      { key: '', transportKey: '' },
      { key: '', transportKey: '' },
    ],
    threshold: 2,
    rollMax: 1_000,
    dealsIn: { value: 15, unit: 'm' },
    complaintsIn: { value: 15, unit: 'm' },
    answersIn: { value: 15, unit: 'm' },
    opensIn: { value: 0, unit: 'm' },
    votingFor: { value: 1, unit: 'd' },
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

/** A problem of the form, at the field it concerns (`contests.0.choices`), as the schema says it. */
export interface FormIssue {
  field: string;
  message: string;
}

export type Checked =
  { ok: true; payload: ReturnType<typeof electionCreatePayload.parse> } | { ok: false; issues: FormIssue[] };

/**
 * The election.create payload the form describes, its deadlines counted from `nowMs`, checked
 * with the ledger's own schema and its definition check (rules.ts `checkDefinition`).
 */
export function checkForm(form: DefinitionForm, nowMs: number): Checked {
  const dealsUntilMs = nowMs + durationMs(form.dealsIn);
  const complaintsUntilMs = dealsUntilMs + durationMs(form.complaintsIn);
  const answersUntilMs = complaintsUntilMs + durationMs(form.answersIn);
  const opensAtMs = answersUntilMs + durationMs(form.opensIn);
  const payload = {
    id: form.id.trim(),
    title: form.title.trim(),
    contests: form.contests.map((contest) => ({
      title: contest.title.trim(),
      choices: lines(contest.choices),
      min: contest.min,
      max: contest.max,
    })),
    districts: lines(form.districts),
    trustees: form.trustees.map((trustee) => ({ key: trustee.key.trim(), transportKey: trustee.transportKey.trim() })),
    threshold: form.threshold,
    rollMax: form.rollMax,
    dealsUntilMs,
    complaintsUntilMs,
    answersUntilMs,
    opensAtMs,
    closesAtMs: opensAtMs + durationMs(form.votingFor),
  };
  const parsed = electionCreatePayload.safeParse(payload);
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })),
    };
  try {
    // the first block that could carry it is after now: the chain checks against its time
    checkDefinition(parsed.data, nowMs);
  } catch (error) {
    return { ok: false, issues: [{ field: '', message: (error as Error).message }] };
  }
  return { ok: true, payload: parsed.data };
}

/** A trustee's keys from a file or pasted text: `{transportKey}` as `election trustee-key` prints it. */
export function trusteeKeysIn(text: string): { key?: string; transportKey: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  if (typeof record.transportKey !== 'string' || !/^[0-9a-f]{64}$/.test(record.transportKey)) return null;
  const key = typeof record.key === 'string' ? record.key : record.publicKey;
  return { transportKey: record.transportKey, ...(typeof key === 'string' && isPublicKeyHex(key) ? { key } : {}) };
}

/**
 * A trustee's step on its own screen: make nothing (no keystore on this node), deal, check the
 * shares it received, answer complaints against it, fix the key once the answers close, wait,
 * decrypt the closed totals, publish the results once enough trustees decrypted, or done.
 */
export type TrusteeStage =
  | 'noKeystore'
  | 'deal'
  | 'check'
  | 'answer'
  | 'key'
  | 'missedDeal'
  | 'wait'
  | 'waitVoting'
  | 'decrypt'
  | 'waitDecryptions'
  | 'tally'
  | 'done';

/** Trustee `me`'s stage (1-based slot) at `nowMs`, with or without its keystore on this node. */
export function trusteeStage(view: ElectionView, me: number, keystore: boolean, nowMs: number): TrusteeStage {
  if (view.phase === 'final') return 'done';
  if (view.phase === 'closed') {
    if (!view.decrypted.includes(me)) return keystore ? 'decrypt' : 'noKeystore';
    return view.decrypted.length >= view.threshold ? 'tally' : 'waitDecryptions';
  }
  if (view.phase === 'voting') return 'waitVoting';
  if (!keystore) return 'noKeystore';
  const dealt = view.dealt.includes(me);
  if (view.complaints.some((c) => c.dealer === me && !c.answered) && nowMs < view.answersUntilMs) return 'answer';
  if (!dealt) return nowMs < view.dealsUntilMs ? 'deal' : 'missedDeal';
  if (nowMs < view.complaintsUntilMs) return 'check';
  return nowMs >= view.answersUntilMs ? 'key' : 'wait';
}
