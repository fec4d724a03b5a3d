// The notary's inbox: transfer contracts signed by their parties, waiting to be certified.
// Kept in DATA/inbox.json, rewritten atomically on each change, so a crash loses nothing
// that was acknowledged. Bounded by INBOX_ENTRIES_MAX.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { INBOX_ENTRIES_MAX, inboxEntrySchema, type InboxEntry } from '../../../shared/api/index.js';
import { txId, type Transaction } from '../../../shared/ledger/index.js';
import { writeFileDurably } from '../config.js';

export class InboxError extends Error {
  constructor(
    readonly code: 'INBOX_FULL' | 'ALREADY_IN_INBOX' | 'NOT_A_TRANSFER' | 'INBOX_DAMAGED',
    message: string,
  ) {
    super(message);
    this.name = 'InboxError';
  }
}

const fileSchema = z.strictObject({ version: z.literal(1), entries: z.array(inboxEntrySchema).max(INBOX_ENTRIES_MAX) });

export class Inbox {
  #entries: InboxEntry[];
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    entries: InboxEntry[],
  ) {
    this.#entries = entries;
  }

  static async open(path: string): Promise<Inbox> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Inbox(path, []);
      throw error;
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success)
      throw new InboxError(
        'INBOX_DAMAGED',
        `the inbox file ${path} is damaged; move it aside and add the contracts again`,
      );
    return new Inbox(path, parsed.data.entries);
  }

  /** Newest first. */
  list(): InboxEntry[] {
    return [...this.#entries].sort((a, b) => b.addedAtMs - a.addedAtMs);
  }

  get(id: string): InboxEntry | undefined {
    return this.#entries.find((entry) => entry.id === id);
  }

  async add(draft: Transaction, nowMs: number): Promise<InboxEntry> {
    if (draft.type !== 'transfer')
      throw new InboxError('NOT_A_TRANSFER', 'only a transfer contract can go into the inbox');
    const id = txId(draft);
    if (this.get(id))
      throw new InboxError('ALREADY_IN_INBOX', `this contract is already in the inbox (${id.slice(0, 12)})`);
    if (this.#entries.length >= INBOX_ENTRIES_MAX)
      throw new InboxError(
        'INBOX_FULL',
        `the inbox holds ${INBOX_ENTRIES_MAX} contracts; certify or remove some first`,
      );
    const entry: InboxEntry = {
      id,
      addedAtMs: nowMs,
      objectId: draft.payload.contract.objectId,
      priceMinor: draft.payload.contract.priceMinor,
      draft,
    };
    await this.#save([...this.#entries, entry]);
    return entry;
  }

  async markCertified(id: string, txHash: string): Promise<void> {
    await this.#save(this.#entries.map((entry) => (entry.id === id ? { ...entry, certifiedTxHash: txHash } : entry)));
  }

  async remove(id: string): Promise<boolean> {
    if (!this.get(id)) return false;
    await this.#save(this.#entries.filter((entry) => entry.id !== id));
    return true;
  }

  /** Writes are serialised; memory changes only once the file holds the new list. */
  async #save(entries: InboxEntry[]): Promise<void> {
    const write = this.#writing.then(() =>
      writeFileDurably(this.path, `${JSON.stringify({ version: 1, entries })}\n`, 0o600),
    );
    this.#writing = write.catch(() => undefined);
    await write;
    this.#entries = entries;
  }
}
