// Close: once the voting window has ended, this office (a registrar) sends election.close. A
// confirmation says what it does first: the totals are fixed and the trustees decrypt them.
import { Alert, Button, Card, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { ErrorAlert } from '../../components/common.js';
import { TxProgress } from '../../components/TxProgress.js';
import { useClient, useIdentity, useNow } from '../../data.js';
import { formatTime } from '../../format.js';
import { closeElection } from './api.js';

export function CloseElection({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const client = useClient();
  const identity = useIdentity();
  const now = useNow(1_000);
  const [confirming, setConfirming] = useState(false);
  const close = useMutation({ mutationFn: () => closeElection(client, view.id) });
  const ended = now >= view.closesAtMs;
  const registrar = identity.data?.role === 'registrar';
  const closed = view.phase !== 'voting';
  return (
    <Card withBorder data-testid="election-close">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('elections.close.title')}
        </Title>
        <Text size="sm" data-testid="election-close-state" data-closed={String(closed)}>
          {closed
            ? t('elections.close.done', { height: view.closedHeight ?? 0 })
            : ended
              ? t('elections.close.ended', { time: formatTime(view.closesAtMs) })
              : t('elections.close.notYet', { time: formatTime(view.closesAtMs) })}
        </Text>
        {!closed && !registrar && identity.data ? (
          <Alert color="blue" variant="light">
            {t('elections.close.onlyRegistrars')}
          </Alert>
        ) : null}
        <Group hidden={closed}>
          <Button
            color="red.9"
            disabled={!ended || !registrar || close.isPending || close.isSuccess}
            onClick={() => setConfirming(true)}
            data-testid="election-close-button"
          >
            {t('elections.close.button')}
          </Button>
        </Group>
        <Modal
          opened={confirming}
          onClose={() => setConfirming(false)}
          title={t('elections.close.confirmTitle')}
          closeButtonProps={{ 'aria-label': t('app.close') }}
        >
          <Stack gap="sm">
            <Text size="sm">{t('elections.close.confirmText', { title: view.title })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirming(false)}>
                {t('app.cancel')}
              </Button>
              <Button
                // red.9: white on Mantine's default orange or red is under 4.5:1 (axe color-contrast)
                color="red.9"
                onClick={() => {
                  setConfirming(false);
                  close.mutate();
                }}
                data-testid="election-close-confirm"
              >
                {t('elections.close.confirmButton')}
              </Button>
            </Group>
          </Stack>
        </Modal>
        {close.isError ? <ErrorAlert error={close.error} /> : null}
        {close.data ? <TxProgress txHash={close.data.txHash} initial={close.data.status} /> : null}
      </Stack>
    </Card>
  );
}
