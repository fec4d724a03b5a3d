// What travels on each topic, and the shape-only validators used when the node injects
// none. The node's own validators add the state checks (mempool, consensus, chain).
import { z } from 'zod';
import { decodeConsensusMessage } from '../../../../shared/chain/messages.js';
import { CodecError, decode, encode } from '../../../../shared/codec/index.js';
import {
  blockHash,
  decodeTransaction,
  LedgerError,
  RejectCode,
  schema,
  type Block,
  type Commit,
} from '../../../../shared/ledger/index.js';
import { GossipAction, GossipValidationError } from '../errors.js';
import type { GossipValidator, TopicKind } from '../interface.js';
import { TOPIC_BYTES_MAX } from '../topics.js';
import { decodeTxBatch } from './tx-batch.js';

/** A committed block as announced on `/block/1`: the block and its commit certificate. */
export interface BlockAnnouncement {
  block: Block;
  commit: Commit;
}

const blockAnnouncementSchema = z.strictObject({ block: schema.block, commit: schema.commit });

export function encodeBlockAnnouncement(announcement: BlockAnnouncement): Uint8Array {
  return encode(announcement);
}

/** Bytes -> a shape-checked announcement whose commit names its block; signatures are the chain's to check. */
export function decodeBlockAnnouncement(bytes: Uint8Array): BlockAnnouncement {
  let value: unknown;
  try {
    value = decode(bytes, TOPIC_BYTES_MAX.block);
  } catch (error) {
    // REJECT: not canonical CBOR, or over the topic limit.
    throw new GossipValidationError(
      GossipAction.reject,
      'MALFORMED',
      error instanceof CodecError ? error.message : String(error),
    );
  }
  const parsed = blockAnnouncementSchema.safeParse(value);
  // REJECT: not a block with a commit.
  if (!parsed.success)
    throw new GossipValidationError(
      GossipAction.reject,
      'MALFORMED',
      `not a block announcement: ${parsed.error.issues[0]?.message}`,
    );
  const announcement = parsed.data as BlockAnnouncement;
  const { header } = announcement.block;
  // REJECT: the commit certifies another block, so this pair can never be applied.
  if (announcement.commit.height !== header.height || announcement.commit.blockHash !== blockHash(header)) {
    throw new GossipValidationError(
      GossipAction.reject,
      'COMMIT_MISMATCH',
      `the commit does not name block ${header.height}`,
    );
  }
  return announcement;
}

/** Validators that only check a message is well formed and for this chain. */
export function defaultValidators(chainId: string): Record<TopicKind, GossipValidator> {
  return {
    tx: (bytes) => {
      const tx = decodeTransaction(bytes);
      // REJECT: signed for another chain (the signature domain includes the chain id).
      if (tx.chainId !== chainId)
        throw new LedgerError(RejectCode.wrongChain, `transaction is for chain ${tx.chainId}`);
    },
    txs: (bytes) => {
      for (const { tx } of decodeTxBatch(bytes)) {
        // REJECT: a transaction signed for another chain.
        if (tx.chainId !== chainId)
          throw new LedgerError(RejectCode.wrongChain, `transaction is for chain ${tx.chainId}`);
      }
    },
    consensus: (bytes) => {
      decodeConsensusMessage(bytes);
    },
    block: (bytes) => {
      const { block } = decodeBlockAnnouncement(bytes);
      // REJECT: a block of another chain.
      if (block.header.chainId !== chainId)
        throw new GossipValidationError(
          GossipAction.reject,
          'WRONG_CHAIN',
          `block is for chain ${block.header.chainId}`,
        );
    },
  };
}
