// Small shared pieces: translated errors, loaders, hashes with copy, state badges.
import { Alert, Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { TxStatus } from '../../../shared/api/index.js';
import { CopyIcon } from '../../common/ui.js';
import { explainError, rejectSentence } from '../errors.js';
import { shortHash } from '../format.js';

export function ErrorAlert({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const { t } = useTranslation();
  const explained = explainError(t, error);
  return (
    <Alert
      color="red"
      variant="light"
      title={title ?? t('errors.title')}
      icon={<IconAlertTriangle aria-hidden />}
      role="alert"
      data-testid="error-alert"
    >
      <Text size="sm">{explained.sentence}</Text>
      {explained.detail && explained.detail !== explained.sentence ? (
        <Text size="xs" c="dimmed" mt={4}>
          {t('errors.nodeSays', { message: explained.detail })}
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

export { Loading } from '../../common/ui.js';

/** A hash or key, shortened, with the full value in a tooltip and a copy button. */
export function Hash({ value, full = false, href }: { value: string; full?: boolean; href?: string }) {
  const { t } = useTranslation();
  const shown = full ? value : shortHash(value);
  return (
    <Group gap={4} wrap="nowrap" className="hash">
      <Tooltip label={value} disabled={full} openDelay={300}>
        {href ? (
          <a href={href} className="mono">
            {shown}
          </a>
        ) : (
          <Text span className="mono" size="sm" style={full ? { wordBreak: 'break-all' } : undefined}>
            {shown}
          </Text>
        )}
      </Tooltip>
      <CopyIcon value={value} copyLabel={`${t('app.copy')} ${shortHash(value)}`} className="no-print" />
    </Group>
  );
}

const STATE_COLORS: Record<string, string> = {
  pending: 'yellow',
  submitted: 'yellow',
  outbox: 'orange',
  final: 'green',
  rejected: 'red',
  unknown: 'gray',
};

export function TxStateBadge({
  state,
  height,
}: {
  state: TxStatus['state'] | 'submitted';
  height?: number | undefined;
}) {
  const { t } = useTranslation();
  const label = state === 'final' && height !== undefined ? t('txState.finalAt', { height }) : t(`txState.${state}`);
  return (
    <Badge color={STATE_COLORS[state] ?? 'gray'} variant="light" data-testid="tx-state" data-state={state}>
      {label}
    </Badge>
  );
}

/** A rejected transaction's reason: translated by code, else the node's sentence. */
export function RejectReason({ code, sentence }: { code?: string | undefined; sentence?: string | undefined }) {
  const { t } = useTranslation();
  const translated = rejectSentence(t, code);
  return (
    <div data-testid="reject-reason">
      <Text size="sm">{translated ?? sentence ?? t('reject.REJECTED')}</Text>
      {translated && sentence ? (
        <Text size="xs" c="dimmed">
          {t('errors.nodeSays', { message: sentence })}
        </Text>
      ) : null}
    </div>
  );
}
