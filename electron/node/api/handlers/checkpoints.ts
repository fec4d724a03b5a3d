// The checkpoints this node made (docs/protocol.md REQ-CKP.2/3): their list, each file as a bank
// keeps it, each layer a verifier holds, and an object's compact proof for its certificate's QR.
import type { ApiHandlerPart, CheckpointSummary } from '../../../../shared/api/index.js';
import {
  CompactProofError,
  checkpointId,
  decodeCompactProof,
  encodeCompactProof,
  leafFields,
  propertyStatement,
  statementLeaf,
  verifyBucketProof,
  type CheckpointBundle,
} from '../../../../shared/checkpoint/index.js';
import { commitQuorum } from '../../../../shared/chain/commit.js';
import { stateKeyHash } from '../../../../shared/chain/execute.js';
import { StateKey } from '../../../../shared/ledger/index.js';
import type { PropertyObject } from '../../../../shared/modules/property/types.js';
import type { Chain } from '../../chain/chain.js';
import type { CheckpointFiles } from '../../checkpoint/files.js';
import { ApiError } from '../errors.js';
import { found } from './found.js';

export interface CheckpointHandlersComponents {
  chain: Pick<Chain, 'getRecord'>;
  checkpoints: { readonly files: CheckpointFiles; bundle(height: number): Promise<CheckpointBundle | undefined> };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function checkpointHandlers({ chain, checkpoints }: CheckpointHandlersComponents) {
  const { files } = checkpoints;
  const noCheckpoint = (height: number) => `no checkpoint at height ${height} here`;
  return {
    checkpoints: async (): Promise<CheckpointSummary[]> =>
      Promise.all(
        files.heights().map(async (height) => {
          const file = files.file(height)!;
          return {
            height,
            timeMs: file.body.timeMs,
            id: checkpointId(file.body),
            statements: file.body.statements,
            validatorsSigned: file.signatures.length,
            validatorsTotal: file.validators.length,
            witnesses: file.witnesses.length,
            proofs: await files.hasEntries(height),
          };
        }),
      ),

    checkpoint: async ({ params: { height } }) => found(files.file(height), noCheckpoint(height)),

    checkpointBundle: async ({ params: { height } }) => found(await checkpoints.bundle(height), noCheckpoint(height)),

    checkpointProof: async ({ params: { id } }) => {
      const object = found(
        (await chain.getRecord(StateKey.object(id))) as PropertyObject | undefined,
        `no object ${id} in the registry`,
      );
      // the newest checkpoint signed by a quorum whose statements are kept: one fewer validators
      // signed may never verify, so a QR against it would not either
      let height: number | undefined;
      for (const candidate of files.heights()) {
        const signed = files.file(candidate)!;
        if (signed.signatures.length < commitQuorum(signed.validators.length)) continue;
        if (await files.hasEntries(candidate)) height = candidate;
        break;
      }
      const tree = height === undefined ? undefined : await files.tree(height);
      if (height === undefined || !tree)
        throw new ApiError(
          404,
          'NO_CHECKPOINT',
          'No checkpoint signed by more than two thirds of the validators is kept on this node yet; the QR proof comes with the next one.',
        );
      const file = files.file(height)!;
      const statement = propertyStatement(object);
      const keyHash = stateKeyHash(StateKey.object(id));
      const proof = tree.proof(keyHash);
      // REJECT: a proof of the record as it is now, which the checkpoint does not hold.
      if (
        !proof ||
        !verifyBucketProof(tree.layer, tree.bucketBits, keyHash, statementLeaf(leafFields(statement)), proof)
      )
        throw new ApiError(
          409,
          'CHANGED_SINCE_CHECKPOINT',
          `Object ${id} changed after the newest checkpoint (block ${height}); its QR proof is ready after the next checkpoint. The certificate file proves it now.`,
        );
      try {
        const qr = encodeCompactProof({ chainId: file.body.chainId, height, statement, proof });
        return {
          id,
          height,
          timeMs: file.body.timeMs,
          checkpointId: checkpointId(file.body),
          qr: base64(qr),
          ownersInQr: decodeCompactProof(qr).owners !== undefined,
        };
      } catch (error) {
        if (error instanceof CompactProofError) throw new ApiError(409, 'PROOF_TOO_LARGE', error.message);
        throw error;
      }
    },
  } satisfies ApiHandlerPart;
}
