// The live status of a submitted transaction: certified → in the network → final, or rejected.
import { Alert, Anchor, Group, Stack, Stepper, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconInbox } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { TxStatus } from '../../../shared/api/index.js';
import { ErrorAlert, Hash, RejectReason, TxStateBadge } from './common.js';
import { useApi } from '../data.js';
import { href } from '../router.js';

const SETTLED = new Set<TxStatus['state']>(['final', 'rejected']);

export function TxProgress({ txHash, initial }: { txHash: string; initial?: TxStatus | undefined }) {
  // in the narrow detail column of smaller screens the three steps stack instead of wrapping
  const narrow = useMediaQuery('(max-width: 1440px)') ?? false;
  const { t } = useTranslation();
  const query = useApi(
    'txStatus',
    { params: { txHash } },
    {
      // events update it live; the poll is the fallback and stops once settled
      refetchInterval: (q) => (q.state.data && SETTLED.has(q.state.data.state) ? false : 2_000),
      ...(initial ? { initialData: initial, initialDataUpdatedAt: 0 } : {}),
    },
  );
  const status = query.data;
  const state = status?.state ?? 'pending';
  const active = state === 'final' ? 3 : state === 'pending' ? 1 : state === 'rejected' ? 1 : 0;

  return (
    <Stack gap="sm" data-testid="tx-progress" data-state={state}>
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>
          {t('certify.txHash')}:
        </Text>
        <Hash value={txHash} href={href('explorer', 'tx', txHash)} />
        <TxStateBadge state={state} height={status?.state === 'final' ? status.height : undefined} />
      </Group>
      {state === 'outbox' ? (
        <Alert color="orange" variant="light" icon={<IconInbox aria-hidden />} data-testid="tx-outbox">
          {t('certify.resultOutbox')}
        </Alert>
      ) : null}
      <Stepper
        active={active}
        size="xs"
        orientation={narrow ? 'vertical' : 'horizontal'}
        color={state === 'rejected' ? 'red' : undefined}
        allowNextStepsSelect={false}
      >
        <Stepper.Step
          label={t('certify.steps.certified')}
          description={state === 'outbox' ? t('txState.outbox') : undefined}
          loading={query.isPending}
        />
        <Stepper.Step
          label={t('certify.steps.block')}
          loading={state === 'pending'}
          color={state === 'rejected' ? 'red' : undefined}
          description={state === 'rejected' ? t('txState.rejected') : undefined}
        />
        <Stepper.Step
          label={t('certify.steps.final')}
          description={status?.state === 'final' ? t('txState.finalAt', { height: status.height }) : undefined}
        />
      </Stepper>
      {status?.state === 'rejected' ? (
        <Alert color="red" variant="light" title={t('txState.rejected')} data-testid="tx-rejected">
          <RejectReason code={status.code} sentence={status.sentence} />
        </Alert>
      ) : null}
      {status?.state === 'final' ? (
        <Anchor href={href('explorer', 'tx', txHash)} size="sm">
          {t('certify.openReceipt')}
        </Anchor>
      ) : null}
      {query.isError ? <ErrorAlert error={query.error} /> : null}
    </Stack>
  );
}
