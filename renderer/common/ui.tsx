// Small pieces the three pages share: a loader, a copy button, a copyable long value, a wait for
// the next paint, a message after an action. Texts come from the page's own i18next instance (each
// page's main.tsx provides it with I18nextProvider): `app.loading`, `app.copy`, `app.copied`.
import { ActionIcon, Alert, Center, CopyButton, Group, Loader, Text, type MantineSize } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useCommonT } from './i18n.js';

export function Loading({ label }: { label?: string }) {
  const t = useCommonT();
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

/** A button that copies `value`; `copyLabel` names it for a screen reader until it is pressed. */
export function CopyIcon({ value, copyLabel, className }: { value: string; copyLabel: string; className?: string }) {
  const t = useCommonT();
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <ActionIcon
          variant="subtle"
          size="sm"
          color={copied ? 'teal' : 'gray'}
          onClick={copy}
          aria-label={copied ? t('app.copied') : copyLabel}
          className={className}
        >
          {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
        </ActionIcon>
      )}
    </CopyButton>
  );
}

/** A long value, wrapped (never wider than a phone), with a copy button. */
export function Copyable({
  value,
  label,
  testid,
  size = 'sm',
}: {
  value: string;
  label: string;
  testid?: string;
  size?: MantineSize;
}) {
  const t = useCommonT();
  return (
    <Group gap={4} wrap="nowrap" align="flex-start">
      <Text span className="mono break" size={size} data-testid={testid}>
        {value}
      </Text>
      <CopyIcon value={value} copyLabel={`${t('app.copy')}: ${label}`} />
    </Group>
  );
}

/** Lets a screen paint (a loader) before a long synchronous computation. */
export const nextPaint = () => new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done, 0)));

/** What an action came to: green with a sentence, or red with the sentence and a technical detail. */
export type Message = { ok: boolean; text: string; detail?: string };

export function MessageAlert({ message, testid }: { message: Message; testid: string }) {
  return (
    <Alert
      color={message.ok ? 'green' : 'red'}
      variant="light"
      role={message.ok ? 'status' : 'alert'}
      data-testid={testid}
      data-ok={message.ok}
    >
      <Text size="sm">{message.text}</Text>
      {message.detail && !message.ok ? (
        <Text size="xs" c="dimmed" className="break">
          {message.detail}
        </Text>
      ) : null}
    </Alert>
  );
}
