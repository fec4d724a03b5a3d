// This computer's clock is off from the network's (decision #66): the node measured it on the
// proposals it received. Shown on the Overview and Network screens, and as a header badge,
// until the clock is set right; in words a person reads, never as milliseconds.
import { Alert, Stack, Text } from '@mantine/core';
import { IconClockExclamation } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { ClockStatus } from '../../../../shared/api/index.js';
import { formatDuration } from '../../format.js';

/** "31 seconds", "5 minutes", "3 hours": the offset rounded to the unit a person would say. */
export function clockOffsetAmount(offsetMs: number): string {
  const distanceMs = Math.abs(offsetMs);
  const unitMs = distanceMs < 120_000 ? 1_000 : distanceMs < 7_200_000 ? 60_000 : 3_600_000;
  return formatDuration(Math.round(distanceMs / unitMs) * unitMs);
}

export function ClockOffAlert({ clock }: { clock: ClockStatus }) {
  const { t } = useTranslation();
  if (clock.state !== 'off' || clock.offsetMs === null) return null;
  const amount = clockOffsetAmount(clock.offsetMs);
  return (
    <Alert
      color="red"
      icon={<IconClockExclamation aria-hidden />}
      title={t('overview.alerts.clockOffTitle')}
      data-testid="alert-clock-off"
      data-offset-ms={clock.offsetMs}
      role="alert"
    >
      <Stack gap="xs">
        <Text size="sm">
          {clock.offsetMs > 0
            ? t('overview.alerts.clockAhead', { amount })
            : t('overview.alerts.clockBehind', { amount })}
        </Text>
        <Text size="sm">{t('overview.alerts.clockEffect')}</Text>
      </Stack>
    </Alert>
  );
}
