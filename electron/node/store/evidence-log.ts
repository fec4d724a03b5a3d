// Evidence of equivocation (a validator that signed two different votes for one height,
// round and step), kept for registrars: appended to DATA/evidence.jsonl with a synced write,
// deduplicated, bounded. The signed votes themselves are the proof; anyone can re-verify them.
import { appendFile, open, readFile } from 'node:fs/promises';
import { duplicateVoteEvidenceSchema, type DuplicateVoteEvidence } from '../../../shared/chain/index.js';

export const EVIDENCE_ENTRIES_MAX = 10_000;

export interface EvidenceRecord {
  detectedAtMs: number;
  evidence: DuplicateVoteEvidence;
}

function keyOf(evidence: DuplicateVoteEvidence): string {
  const { voteA, voteB } = evidence;
  const [a, b] = [voteA.signature, voteB.signature].sort();
  return `${voteA.validator}:${voteA.height}:${voteA.round}:${voteA.type}:${a}:${b}`;
}

export class EvidenceLog {
  readonly #records: EvidenceRecord[] = [];
  readonly #keys = new Set<string>();
  /** The file ends in a line torn by a crash: the next record starts on a fresh line. */
  #torn = false;

  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<EvidenceLog> {
    const log = new EvidenceLog(path);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    log.#torn = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as EvidenceRecord;
        const evidence = duplicateVoteEvidenceSchema.parse(record.evidence);
        log.#add({ detectedAtMs: Number(record.detectedAtMs) || 0, evidence });
      } catch {
        // a line torn by a crash mid-append: the votes were logged and gossiped anyway; skip it
      }
    }
    return log;
  }

  list(): EvidenceRecord[] {
    return [...this.#records];
  }

  /** Records new evidence; returns false for a duplicate or when the log is full. */
  async record(evidence: DuplicateVoteEvidence, nowMs: number): Promise<boolean> {
    if (this.#keys.has(keyOf(evidence)) || this.#records.length >= EVIDENCE_ENTRIES_MAX) return false;
    const record = { detectedAtMs: nowMs, evidence };
    await appendFile(this.path, `${this.#torn ? '\n' : ''}${JSON.stringify(record)}\n`, { mode: 0o644 });
    this.#torn = false;
    const file = await open(this.path, 'r');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    this.#add(record);
    return true;
  }

  #add(record: EvidenceRecord): void {
    this.#keys.add(keyOf(record.evidence));
    this.#records.push(record);
  }
}
