// Small pieces the verification page's screens share: a loader, a copyable key, a date, reading
// a file the person brings.
import { ActionIcon, Center, CopyButton, Group, Loader, Text } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useT } from './i18n/index.js';

export function Loading({ label }: { label?: string }) {
  const { t } = useT();
  return (
    <Center py="md" role="status" aria-live="polite">
      <Group gap="xs" wrap="nowrap">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed">
          {label ?? t('app.loading')}
        </Text>
      </Group>
    </Center>
  );
}

/** A long value, wrapped (never wider than a phone), with a copy button. */
export function Copyable({ value, label, testid }: { value: string; label: string; testid?: string }) {
  const { t } = useT();
  return (
    <Group gap={4} wrap="nowrap" align="flex-start">
      <Text span className="mono break" size="xs" data-testid={testid}>
        {value}
      </Text>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <ActionIcon
            variant="subtle"
            size="sm"
            color={copied ? 'teal' : 'gray'}
            onClick={copy}
            aria-label={copied ? t('app.copied') : `${t('app.copy')}: ${label}`}
          >
            {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
          </ActionIcon>
        )}
      </CopyButton>
    </Group>
  );
}

export function formatTime(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(ms));
}

export class FileTooLargeError extends Error {
  readonly code = 'TOO_LARGE';
}

/** Reads a JSON file the person chose; refuses one larger than `bytesMax`. Throws SyntaxError on bad JSON. */
export async function readJsonFile(file: File, bytesMax: number): Promise<unknown> {
  if (file.size > bytesMax) throw new FileTooLargeError(`${file.name} is over ${bytesMax} bytes`);
  return JSON.parse(await file.text()) as unknown;
}

/** Lets a screen paint (a loader) before a long synchronous check. */
export const nextPaint = () => new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done, 0)));
