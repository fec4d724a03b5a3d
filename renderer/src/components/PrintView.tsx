// Printable ownership certificate and transfer receipt, each with a QR code carrying the
// whole document (`notary verify` accepts it) or, when too long for one code, a download.
import { Alert, Button, Container, Divider, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconDownload, IconPrinter } from '@tabler/icons-react';
import QRCode from 'qrcode';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { encodeQrDocument, type OwnershipCertificate, type Receipt } from '../../../shared/receipt/index.js';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../data.js';
import { downloadJson, formatArea, formatMoney, formatShare, formatTime } from '../format.js';
import { QueryView } from './QueryView.js';

type QrState = 'pending' | 'ok' | 'too-long';

/**
 * Draws a document's QR code on a canvas (no data: URL, so a strict img-src is fine);
 * 'too-long' when it does not fit in one code.
 */
export function useQrCanvas(document: unknown): { state: QrState; ref: (canvas: HTMLCanvasElement | null) => void } {
  const [state, setState] = useState<QrState>('pending');
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const json = document === undefined ? undefined : JSON.stringify(document);
  useEffect(() => {
    if (json === undefined || !canvas) return;
    let cancelled = false;
    setState('pending');
    // the QR text is the deflated document (NOTARY1:...), which `notary verify` reads too
    encodeQrDocument(JSON.parse(json))
      .then((text) => QRCode.toCanvas(canvas, text, { errorCorrectionLevel: 'M', margin: 4, scale: 3 }))
      .then(() => !cancelled && setState('ok'))
      .catch(() => !cancelled && setState('too-long'));
    return () => {
      cancelled = true;
    };
  }, [json, canvas]);
  return { state, ref: setCanvas };
}

function QrBlock({
  document,
  fileName,
  kind,
}: {
  document: unknown;
  fileName: string;
  kind: 'receipt' | 'certificate';
}) {
  const { t } = useTranslation();
  const qr = useQrCanvas(document);
  const download = (
    <Button
      variant="light"
      leftSection={<IconDownload size={16} aria-hidden />}
      onClick={() => downloadJson(fileName, document)}
      className="no-print"
    >
      {kind === 'receipt' ? t('print.downloadReceipt') : t('print.downloadCertificate')}
    </Button>
  );
  return (
    <Stack gap="xs" align="center" data-testid="qr-block" data-qr={qr.state}>
      {qr.state === 'pending' ? <Loader size="sm" aria-label={t('app.loading')} /> : null}
      <canvas
        ref={qr.ref}
        role="img"
        aria-label={t('print.qrAlt')}
        className="qr"
        data-testid="qr-code"
        hidden={qr.state !== 'ok'}
      />
      {qr.state === 'too-long' ? (
        <Alert color="blue" variant="light" data-testid="qr-too-long">
          {t('print.tooLong')}
        </Alert>
      ) : null}
      {download}
      <Text size="xs" c="dimmed" ta="center">
        {t('print.verifyHint')}
      </Text>
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w="30%">
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function Finality({ doc }: { doc: Receipt | OwnershipCertificate }) {
  const { t } = useTranslation();
  return (
    <Text size="sm">
      {t('print.issuedBy', { chain: doc.header.chainId })}.{' '}
      {t('print.asOf', {
        height: doc.header.height,
        time: formatTime(doc.header.timeMs),
        signatures: doc.commit.signatures.length,
        validators: doc.validators.length,
      })}
    </Text>
  );
}

function Owners({ owners }: { owners: readonly { key: string; share: readonly [number, number] }[] }) {
  return (
    <Stack gap={2}>
      {owners.map((owner) => (
        <Group key={owner.key} gap="xs" wrap="nowrap">
          <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
            {owner.key}
          </Text>
          <Text size="sm" fw={600}>
            {formatShare(owner.share)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

function CertificateDocument({ certificate }: { certificate: OwnershipCertificate }) {
  const { t } = useTranslation();
  const object = certificate.object;
  return (
    <>
      <Title order={1} size="h2">
        {t('print.certificateTitle')}
      </Title>
      <Finality doc={certificate} />
      <Table withTableBorder withColumnBorders>
        <Table.Tbody>
          <Field label={t('registry.columns.id')}>{object.id}</Field>
          <Field label={t('registry.kind')}>{t(`kind.${object.kind}`)}</Field>
          <Field label={t('registry.address')}>{object.address}</Field>
          <Field label={t('registry.area')}>{t('registry.areaValue', { value: formatArea(object.areaDm2) })}</Field>
          <Field label={t('registry.owners')}>
            <Owners owners={object.owners} />
          </Field>
          <Field label={t('registry.encumbrances')}>
            {object.encumbrances.length === 0
              ? t('registry.noEncumbrances')
              : object.encumbrances.map((item) => (
                  <Text size="sm" key={item.id}>
                    {t(`encumbranceKind.${item.kind}`)} · {item.reference} ·{' '}
                    {t('app.height', { height: item.sinceHeight })}
                  </Text>
                ))}
          </Field>
          <Field label={t('registry.version')}>{object.version}</Field>
        </Table.Tbody>
      </Table>
      <QrBlock
        document={certificate}
        fileName={`certificate-${object.id.replace(/[^A-Za-z0-9._-]/g, '_')}-h${certificate.header.height}.json`}
        kind="certificate"
      />
    </>
  );
}

function ReceiptDocument({ receipt, txHash }: { receipt: Receipt; txHash: string }) {
  const { t } = useTranslation();
  const tx = receipt.tx;
  return (
    <>
      <Title order={1} size="h2">
        {t('print.receiptTitle')}
      </Title>
      <Finality doc={receipt} />
      <Table withTableBorder withColumnBorders>
        <Table.Tbody>
          <Field label={t('print.transaction')}>
            <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
              {txHash}
            </Text>
          </Field>
          <Field label={t('print.type')}>{t(`txType.${tx.type}`)}</Field>
          {tx.type === 'transfer' ? (
            <>
              <Field label={t('print.object')}>{tx.payload.contract.objectId}</Field>
              <Field label={t('certify.sellers')}>
                <Owners owners={tx.payload.contract.sellers} />
              </Field>
              <Field label={t('certify.buyers')}>
                <Owners owners={tx.payload.contract.buyers} />
              </Field>
              <Field label={t('certify.price')}>
                {formatMoney(tx.payload.contract.priceMinor, tx.payload.contract.currency)}
              </Field>
              <Field label={t('certify.duty')}>
                {formatMoney(tx.payload.duty.amountMinor)} · {tx.payload.duty.reference}
              </Field>
              <Field label={t('certify.notary')}>
                <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
                  {tx.payload.notary}
                </Text>
              </Field>
            </>
          ) : null}
          {tx.type === 'property.register' ? (
            <>
              <Field label={t('print.object')}>{tx.payload.object.id}</Field>
              <Field label={t('registry.owners')}>
                <Owners owners={tx.payload.object.owners} />
              </Field>
            </>
          ) : null}
          {tx.type === 'encumbrance.add' || tx.type === 'encumbrance.release' ? (
            <Field label={t('print.object')}>{tx.payload.objectId}</Field>
          ) : null}
          <Field label={t('explorer.fields.height')}>{receipt.header.height}</Field>
          <Field label={t('explorer.fields.time')}>{formatTime(receipt.header.timeMs)}</Field>
        </Table.Tbody>
      </Table>
      <QrBlock document={receipt} fileName={`receipt-${txHash.slice(0, 16)}.json`} kind="receipt" />
    </>
  );
}

function PrintFrame({ children, testid }: { children: ReactNode; testid: string }) {
  const { t } = useTranslation();
  return (
    <Container size="md" py="lg" data-testid={testid} component="main">
      <Group className="no-print" mb="md" justify="space-between">
        <Button
          variant="subtle"
          leftSection={<IconArrowLeft size={16} aria-hidden />}
          onClick={() => window.history.back()}
        >
          {t('app.back')}
        </Button>
        <Button leftSection={<IconPrinter size={16} aria-hidden />} onClick={() => window.print()}>
          {t('print.print')}
        </Button>
      </Group>
      <Paper withBorder p="xl" className="print-sheet">
        <Stack gap="md">{children}</Stack>
      </Paper>
      <Divider className="no-print" my="md" variant="dashed" />
    </Container>
  );
}

export function PrintCertificate({ objectId }: { objectId: string }) {
  const client = useClient();
  // its own key: a printed certificate stays as fetched, whatever blocks come in meanwhile
  const query = useQuery({
    queryKey: ['print', 'property', objectId],
    queryFn: () => client.call('property', { params: { id: objectId } }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  return (
    <PrintFrame testid="screen-print-certificate">
      <QueryView query={query}>{(data) => <CertificateDocument certificate={data.certificate} />}</QueryView>
    </PrintFrame>
  );
}

export function PrintReceipt({ txHash }: { txHash: string }) {
  const client = useClient();
  const query = useQuery({
    queryKey: ['print', 'receipt', txHash],
    queryFn: () => client.call('receipt', { params: { txHash } }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  return (
    <PrintFrame testid="screen-print-receipt">
      <QueryView query={query}>{(data) => <ReceiptDocument receipt={data} txHash={txHash} />}</QueryView>
    </PrintFrame>
  );
}
