// The printed certificate's QR code (issue 18): the object's compact proof against the node's
// newest checkpoint (docs/protocol.md REQ-CKP.3), which the registry's verification page checks.
// When that checkpoint does not hold the record as printed, no code is printed and one sentence
// says when it will be; the certificate file proves the whole record either way.
import { Loader, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { ApiCallError, CheckpointSummary } from '../../../../shared/api/index.js';
import type { OwnershipCertificate } from '../../../../shared/receipt/index.js';
import { ErrorAlert } from '../../components/common.js';
import { DownloadButton, QrSvg } from '../../components/PrintView.js';
import { useClient } from '../../data.js';
import { formatTime } from '../../format.js';
import { certificateQrState, signedByQuorum, type ProofView } from './proof.js';

/** How often a certificate waiting for its checkpoint's signatures asks again. */
const UNSIGNED_REFRESH_MS = 5_000;

const NOTE = {
  'after-checkpoint': 'print.qrAfterCheckpoint',
  unsigned: 'print.qrUnsigned',
  'too-large': 'print.qrTooLarge',
  unavailable: 'print.qrUnavailable',
} as const;

export function CertificateQr({ certificate, fileName }: { certificate: OwnershipCertificate; fileName: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const id = certificate.object.id;
  // fetched once with the certificate: the printed sheet does not change under the notary's eyes
  const answer = useQuery<ProofView, ApiCallError>({
    queryKey: ['print', 'checkpointProof', id],
    queryFn: () => client.call('checkpointProof', { params: { id } }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: (failures, error) => !(error.status === 404 || error.status === 409) && failures < 2,
  });
  // whether the proof's checkpoint is signed by a quorum yet: asked again until it is, and the
  // code appears then (the node gathers the other validators' signatures every few seconds)
  const checkpoints = useQuery<CheckpointSummary[], ApiCallError>({
    queryKey: ['print', 'checkpoints', id],
    queryFn: () => client.call('checkpoints'),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchInterval: (query) => {
      const height = answer.data?.height;
      const list = query.state.data;
      return height !== undefined && list && !signedByQuorum(list, height) ? UNSIGNED_REFRESH_MS : false;
    },
  });
  const qr = certificateQrState(certificate, answer, checkpoints);
  return (
    <Stack
      gap="xs"
      align="center"
      data-testid="certificate-qr"
      data-qr={qr.state}
      data-height={qr.state === 'ok' ? qr.height : undefined}
    >
      {qr.state === 'pending' ? <Loader size="sm" aria-label={t('app.loading')} /> : null}
      {qr.state === 'ok' ? (
        <>
          <QrSvg matrix={qr.matrix} label={t('print.certificateQrAlt')} testid="certificate-qr-code" />
          <Text size="sm" ta="center" data-testid="certificate-qr-caption">
            {t('print.checkpointQrCaption', { height: qr.height, date: formatTime(qr.timeMs) })}
          </Text>
        </>
      ) : null}
      {qr.state !== 'pending' && qr.state !== 'ok' ? (
        <Text size="sm" ta="center" data-testid="certificate-qr-note">
          {t(NOTE[qr.state])}
        </Text>
      ) : null}
      {qr.state === 'unavailable' ? (
        <div className="no-print">
          <ErrorAlert
            error={qr.error}
            onRetry={() => {
              void answer.refetch();
              void checkpoints.refetch();
            }}
          />
        </div>
      ) : null}
      <DownloadButton fileName={fileName} document={certificate} label={t('print.downloadCertificate')} />
      <Text size="xs" c="dimmed" ta="center">
        {t('print.certificateFileHint')}
      </Text>
    </Stack>
  );
}
