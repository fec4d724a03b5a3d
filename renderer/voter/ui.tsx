// Small pieces every screen of the voter's page uses: errors in words, a loader, a copyable
// value, a download, reading a file the voter brings (the loader and the copy button are every
// page's, ../common/ui.tsx).
import { Alert, Button, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiCallError } from './api.js';
import { translateCode, useT, type VoterT } from './i18n/index.js';

export { Copyable, Loading, nextPaint } from '../common/ui.js';

/** An error as a sentence in the voter's language, and the server's own sentence when it adds to it. */
export function explain(t: VoterT, error: unknown): { sentence: string; detail?: string } {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : undefined;
  if (error instanceof ApiCallError) {
    if (error.code === 'UNREACHABLE') return { sentence: t('errors.network') };
    if (error.code === 'UNEXPECTED_ANSWER') return { sentence: t('errors.unexpected') };
    if (error.status === 404) return { sentence: t('errors.notFound'), detail: message };
  }
  if (typeof code === 'string') {
    const translated =
      translateCode(t, 'credential.errors', code) ??
      translateCode(t, 'check.errors', code) ??
      translateCode(t, 'reject', code);
    if (translated) return { sentence: translated, detail: message };
  }
  return { sentence: t('errors.generic'), detail: message };
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useT();
  const { sentence, detail } = explain(t, error);
  return (
    <Alert
      color="red"
      variant="light"
      title={t('errors.title')}
      icon={<IconAlertTriangle aria-hidden />}
      role="alert"
      data-testid="error-alert"
    >
      <Text size="sm">{sentence}</Text>
      {detail && detail !== sentence ? (
        <Text size="xs" c="dimmed" mt={4}>
          {t('errors.serverSays', { message: detail })}
        </Text>
      ) : null}
      {onRetry ? (
        <Button mt="sm" size="xs" variant="light" color="red" onClick={onRetry}>
          {t('app.retry')}
        </Button>
      ) : null}
    </Alert>
  );
}

/** Offers text as a file download (a blob URL: nothing leaves the browser). */
export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reads a small text file the voter chose or dropped; refuses one larger than `bytesMax`. */
export async function readSmallFile(file: File, bytesMax: number): Promise<string> {
  if (file.size > bytesMax) throw Object.assign(new Error('file too large'), { code: 'fileTooLarge' });
  return file.text();
}

export function shortHex(value: string, head = 12): string {
  return value.length > head + 4 ? `${value.slice(0, head)}…${value.slice(-4)}` : value;
}

export function formatTime(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}
