// An election's export (shared/modules/election/export.ts, docs/elections.md B.6): the records
// at one head, then every committed transaction of the election from its creation's block to
// that head, then the trailer, streamed in chunks as the blocks are read.
import { encodeFrame, EXPORT_FORMAT, type ExportHeader } from '../../../../shared/modules/election/export.js';
import type { AnyTransaction } from '../../../../shared/ledger/primitives.js';
import { ApiError } from '../../api/errors.js';
import type { Chain } from '../../chain/chain.js';
import type { ElectionRecords } from './records.js';

/** Frames are gathered into chunks of about this size before they are written. */
const CHUNK_BYTES = 64 * 1024;

export function electionOfTx(tx: AnyTransaction): string | undefined {
  if (!tx.type.startsWith('election.')) return undefined;
  const payload = tx.payload as { id?: string; election?: string };
  return tx.type === 'election.create' ? payload.id : payload.election;
}

export async function electionExport(
  chain: Pick<Chain, 'chainId' | 'getBlock'>,
  records: ElectionRecords,
): Promise<AsyncIterable<Uint8Array>> {
  const { definition } = records;
  // REJECT: a node that joined from a snapshot after the election began has not its blocks
  if (!(await chain.getBlock(definition.height)))
    throw new ApiError(
      409,
      'BLOCKS_MISSING',
      `this node does not hold block ${definition.height}, where election ${definition.id} was created (it joined from a later snapshot); export it from a node that holds the whole chain`,
    );
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    chainId: chain.chainId,
    height: records.height,
    election: definition,
    status: records.status,
    roll: records.roll,
    tally: records.tally,
  };
  return (async function* frames() {
    let parts: Uint8Array[] = [encodeFrame(header)];
    let bytes = parts[0]!.length;
    let entries = 0;
    const flush = () => {
      const chunk = Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
      return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    };
    for (let height = definition.height; height <= records.height; height++) {
      const block = await chain.getBlock(height);
      if (!block) throw new Error(`block ${height} went missing while election ${definition.id} was exported`);
      for (const [index, tx] of block.txs.entries()) {
        if (electionOfTx(tx) !== definition.id) continue;
        const frame = encodeFrame({ height, index, timeMs: block.header.timeMs, tx });
        parts.push(frame);
        bytes += frame.length;
        entries++;
        if (bytes >= CHUNK_BYTES) yield flush();
      }
    }
    parts.push(encodeFrame({ end: true, entries }));
    bytes += parts.at(-1)!.length;
    yield flush();
  })();
}
