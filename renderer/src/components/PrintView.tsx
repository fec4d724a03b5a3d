// The parts of a printed document: the sheet with its Print and Back buttons, labelled rows, the
// finality line, the QR code carrying the whole document (`notary verify` accepts it) or, when
// too long for one code, a download, and a QR code of a few given bytes drawn as vectors (the
// certificate's compact proof). The receipt (screens/PrintReceipt.tsx) and each module's
// documents (the property module's certificate) are made of them.
import { Alert, Button, Container, Divider, Group, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import { IconArrowLeft, IconDownload, IconPrinter } from '@tabler/icons-react';
import QRCode from 'qrcode';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { encodeQrDocument, type OwnershipCertificate, type Receipt } from '../../../shared/receipt/index.js';
import { downloadJson, formatTime } from '../format.js';
import { QR_MARGIN_MODULES, type QrMatrix } from '../qr.js';

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

/** A QR code as vectors: sharp at any printer's resolution, and no data: URL for the CSP. */
export function QrSvg({ matrix, label, testid }: { matrix: QrMatrix; label: string; testid: string }) {
  const side = matrix.size + 2 * QR_MARGIN_MODULES;
  return (
    <svg
      viewBox={`${-QR_MARGIN_MODULES} ${-QR_MARGIN_MODULES} ${side} ${side}`}
      role="img"
      aria-label={label}
      className="qr"
      shapeRendering="crispEdges"
      data-testid={testid}
      data-version={matrix.version}
    >
      <rect x={-QR_MARGIN_MODULES} y={-QR_MARGIN_MODULES} width={side} height={side} fill="#fff" />
      <path d={matrix.path} fill="#000" />
    </svg>
  );
}

/** The button that saves a document as JSON; not printed. */
export function DownloadButton({ fileName, document, label }: { fileName: string; document: unknown; label: string }) {
  return (
    <Button
      variant="light"
      leftSection={<IconDownload size={16} aria-hidden />}
      onClick={() => downloadJson(fileName, document)}
      className="no-print"
    >
      {label}
    </Button>
  );
}

export function QrBlock({
  document,
  fileName,
  downloadLabel,
}: {
  document: unknown;
  fileName: string;
  downloadLabel: string;
}) {
  const { t } = useTranslation();
  const qr = useQrCanvas(document);
  const download = <DownloadButton fileName={fileName} document={document} label={downloadLabel} />;
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

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w="30%">
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

export function Finality({ doc }: { doc: Receipt | OwnershipCertificate }) {
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

export function PrintFrame({ children, testid }: { children: ReactNode; testid: string }) {
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
