// A registrar office corrects an object's address or area, with the reason: the node signs
// property.correct with the office's key and submits it; the progress follows to final.
import { Button, Card, Group, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PropertyObject } from '../../../../shared/ledger/index.js';
import { areaDm2FromM2, areaM2Text } from '../../../../shared/modules/property/area.js';
import { ErrorAlert } from '../../components/common.js';
import { TxProgress } from '../../components/TxProgress.js';
import { useClient, useIdentity } from '../../data.js';

export function CorrectRecord({ object }: { object: PropertyObject }) {
  const { t } = useTranslation();
  const identity = useIdentity();
  const [open, setOpen] = useState(false);
  if (identity.data?.role !== 'registrar' || !identity.data.publicKey) return null;
  return open ? (
    <CorrectForm object={object} onClose={() => setOpen(false)} />
  ) : (
    <Group>
      <Button
        variant="light"
        leftSection={<IconPencil size={16} aria-hidden />}
        onClick={() => setOpen(true)}
        data-testid="registry-correct"
      >
        {t('registry.correct')}
      </Button>
    </Group>
  );
}

function CorrectForm({ object, onClose }: { object: PropertyObject; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const queryClient = useQueryClient();
  const [address, setAddress] = useState(object.address);
  const [area, setArea] = useState(areaM2Text(object.areaDm2));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const areaDm2 = areaDm2FromM2(area);
  const submit = useMutation({
    mutationFn: () =>
      client.call('correctProperty', {
        params: { id: object.id },
        body: {
          objectVersion: object.version,
          ...(address.trim() !== object.address ? { address: address.trim() } : {}),
          ...(areaDm2 !== undefined && areaDm2 !== object.areaDm2 ? { areaDm2 } : {}),
          reason: reason.trim(),
        },
      }),
    onSuccess: (answer) => {
      queryClient.setQueryData(['txStatus', { params: { txHash: answer.txHash } }], answer.status);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (areaDm2 === undefined) return setProblem(t('registry.correctAreaInvalid'));
    if (address.trim() === object.address && areaDm2 === object.areaDm2)
      return setProblem(t('registry.correctNothing'));
    if (reason.trim() === '') return setProblem(t('registry.correctReasonRequired'));
    setProblem(undefined);
    submit.mutate();
  };
  return (
    <Card withBorder data-testid="registry-correct-form">
      <form onSubmit={onSubmit} aria-labelledby="registry-correct-title">
        <Stack gap="sm">
          <Title order={3} size="h4" id="registry-correct-title">
            {t('registry.correctTitle', { id: object.id })}
          </Title>
          <Text size="sm">{t('registry.correctText')}</Text>
          <TextInput
            label={t('registry.correctAddress')}
            value={address}
            onChange={(event) => setAddress(event.currentTarget.value)}
            maxLength={256}
            disabled={submit.isSuccess}
            data-testid="registry-correct-address"
          />
          <TextInput
            label={t('registry.correctArea')}
            value={area}
            onChange={(event) => setArea(event.currentTarget.value)}
            inputMode="decimal"
            error={area !== '' && areaDm2 === undefined ? t('registry.correctAreaInvalid') : undefined}
            disabled={submit.isSuccess}
            data-testid="registry-correct-area"
          />
          <Textarea
            label={t('registry.correctReason')}
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            maxLength={256}
            required
            autosize
            minRows={2}
            disabled={submit.isSuccess}
            data-testid="registry-correct-reason"
          />
          {problem ? (
            <Text c="red.8" size="sm" role="alert">
              {problem}
            </Text>
          ) : null}
          {submit.isError ? <ErrorAlert error={submit.error} /> : null}
          {submit.data ? (
            <Stack gap="xs" data-testid="registry-correct-result">
              <Text fw={600}>{t('registry.correctResult')}</Text>
              <TxProgress txHash={submit.data.txHash} initial={submit.data.status} />
            </Stack>
          ) : null}
          <Group>
            {submit.isSuccess ? null : (
              <Button type="submit" loading={submit.isPending} data-testid="registry-correct-submit">
                {t('registry.correctSubmit')}
              </Button>
            )}
            <Button variant="subtle" onClick={onClose}>
              {t('registry.correctCancel')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
