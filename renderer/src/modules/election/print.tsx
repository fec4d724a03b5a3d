// The sealed credential of a voter with no device (#/print/credential/<id>): made at the desk in
// front of the voter, printed with its secret as text and QR inside the folds, and then dropped.
// The secret is held only in this module's memory between the desk and this page; it is never
// in the address, storage or a file, and it is dropped once printed or left.
import { Alert, Button, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconPrinter } from '@tabler/icons-react';
import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate } from '../../router.js';
import { desk } from './deskStore.js';

interface PendingCredential {
  id: string;
  election: string;
  title: string;
  district: string;
  publicKey: string;
  /** The CLI's credential file (`election credentials --out`): `[{secretKey, publicKey}]`. */
  file: string;
}

let pending: PendingCredential | null = null;

/** Hands a fresh credential to the print page; answers the page's id (random, no secret in it). */
export function holdForPrint(credential: Omit<PendingCredential, 'id'>): string {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
  pending = { ...credential, id };
  return id;
}

function drop(): void {
  pending = null;
}

function SecretQr({ text }: { text: string }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    void QRCode.toCanvas(element, text, { errorCorrectionLevel: 'M', margin: 4, scale: 4 });
    // wipe the drawn secret when the page goes
    return () => element.getContext('2d')?.clearRect(0, 0, element.width, element.height);
  }, [text]);
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={t('elections.print.qrAlt')}
      className="qr"
      data-testid="credential-qr"
    />
  );
}

export function PrintCredential({ id }: { id: string }) {
  const { t } = useTranslation();
  // the page takes the credential once; a reload or a second visit finds nothing
  const [credential, setCredential] = useState<PendingCredential | null>(() =>
    pending && pending.id === id ? pending : null,
  );
  const [done, setDone] = useState(false);

  const finish = () => {
    if (credential)
      desk.add(credential.publicKey, 'printed', { election: credential.election, district: credential.district });
    drop();
    setCredential(null);
    setDone(true);
  };

  useEffect(() => {
    const afterPrint = () => finish();
    window.addEventListener('afterprint', afterPrint);
    return () => window.removeEventListener('afterprint', afterPrint);
  });
  // leaving the page without printing drops the secret too (and registers nothing)
  useEffect(() => () => drop(), []);

  return (
    <Container size="md" py="lg" data-testid="screen-print-credential" component="main">
      <Group className="no-print" mb="md" justify="space-between">
        <Button
          variant="subtle"
          leftSection={<IconArrowLeft size={16} aria-hidden />}
          onClick={() => navigate('electionDesk')}
        >
          {t('elections.print.backToDesk')}
        </Button>
        {credential ? (
          <Group>
            <Button leftSection={<IconPrinter size={16} aria-hidden />} onClick={() => window.print()}>
              {t('print.print')}
            </Button>
            <Button variant="light" color="green" onClick={finish} data-testid="credential-printed">
              {t('elections.print.printed')}
            </Button>
          </Group>
        ) : null}
      </Group>
      {done ? (
        <Alert color="green" variant="light" className="no-print" data-testid="credential-dropped" role="status">
          {t('elections.print.dropped')}
        </Alert>
      ) : null}
      {!credential && !done ? (
        <Alert color="orange" variant="light" data-testid="credential-gone">
          {t('elections.print.gone')}
        </Alert>
      ) : null}
      {credential ? (
        <Paper withBorder p="xl" className="print-sheet credential-sheet" data-testid="credential-sheet">
          <Stack gap="md">
            <Alert color="blue" variant="light" className="no-print">
              {t('elections.print.keepsNothing')}
            </Alert>
            <Title order={1} size="h2">
              {t('elections.print.title')}
            </Title>
            <Text>{t('elections.print.election', { title: credential.title, id: credential.election })}</Text>
            <Text>{t('elections.print.district', { district: credential.district })}</Text>
            <Text size="sm">{t('elections.print.instructions')}</Text>
            <Text size="sm">
              {t('elections.print.publicKey')}{' '}
              <span className="mono" style={{ wordBreak: 'break-all' }} data-testid="credential-public">
                {credential.publicKey}
              </span>
            </Text>
            <Text ta="center" size="xs" c="dimmed" style={{ borderTop: '2px dashed #888', paddingTop: 4 }}>
              {t('elections.print.foldHere')}
            </Text>
            <Stack gap="xs" align="center">
              <Text fw={700}>{t('elections.print.secretTitle')}</Text>
              <SecretQr text={credential.file} />
              <Text
                size="xs"
                className="mono"
                style={{ wordBreak: 'break-all', maxWidth: 520 }}
                data-testid="credential-secret-text"
              >
                {credential.file}
              </Text>
            </Stack>
            <Text ta="center" size="xs" c="dimmed" style={{ borderTop: '2px dashed #888', paddingTop: 4 }}>
              {t('elections.print.foldHere')}
            </Text>
            <Text size="sm" fw={600}>
              {t('elections.print.warning')}
            </Text>
          </Stack>
        </Paper>
      ) : null}
    </Container>
  );
}
