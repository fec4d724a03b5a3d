// The published form of a checkpoint: a few lines an office prints in a newspaper or puts on its
// website, so that anyone can compare the checkpoint a verifier holds with the one the registry
// announced (as Certificate Transparency's tree heads are gossiped). Values are written the same
// in every language; only the labels are translated.
import type { TFunction } from 'i18next';
import type { CheckpointBody } from '../../../../shared/checkpoint/checkpoint.js';

/** A time as every reader reads it alike: "2026-12-06 00:00:05 UTC". */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function publishedForm(
  t: TFunction,
  checkpoint: { id: string; body: CheckpointBody; validatorsSigned: number; validatorsTotal: number },
): string {
  const { id, body } = checkpoint;
  return [
    t('checkpoints.published.heading'),
    `${t('checkpoints.published.chainId')}: ${body.chainId}`,
    `${t('checkpoints.published.height')}: ${body.height}`,
    `${t('checkpoints.published.time')}: ${utcTime(body.timeMs)}`,
    `${t('checkpoints.published.blockHash')}: ${body.blockHash}`,
    `${t('checkpoints.published.statementRoot')}: ${body.statementRoot}`,
    `${t('checkpoints.published.id')}: ${id}`,
    t('checkpoints.published.validators', {
      signed: checkpoint.validatorsSigned,
      total: checkpoint.validatorsTotal,
    }),
  ].join('\n');
}
