// Certify: the inbox of transfer contracts, the ledger's checks, certify, then the live status.
import {
  Alert,
  Badge,
  Button,
  Card,
  FileInput,
  Grid,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notify } from '../../notify.js';
import { IconCheck, IconCircleCheck, IconCircleX, IconFileUpload, IconSignature, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InboxEntry, SubmitResult, TransferChecks } from '../../../../shared/api/index.js';
import { ErrorAlert, Hash, TxStateBadge } from '../../components/common.js';
import { QueryView } from '../../components/QueryView.js';
import { useApi, useClient, useIdentity, useStatus } from '../../data.js';
import { explainError, rejectSentence } from '../../errors.js';
import { parseJson, readJsonFile } from '../../files.js';
import { formatMoney, formatShare, formatShortTime, formatTime } from '../../format.js';
import { txTypeLabel } from '../../i18n/index.js';
import { href, navigate } from '../../router.js';
import { TxProgress } from '../../components/TxProgress.js';

function AddContract() {
  const { t } = useTranslation();
  const client = useClient();
  const queryClient = useQueryClient();
  const [pasted, setPasted] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const add = useMutation({
    mutationFn: async (source: File | string) => {
      const draft = typeof source === 'string' ? parseJson(source) : await readJsonFile(source);
      return client.call('inboxAdd', { body: draft as never });
    },
    onSuccess: (entry, source) => {
      notify({ color: 'green', message: t('certify.added'), icon: <IconCheck size={16} aria-hidden /> });
      if (typeof source === 'string') setPasted('');
      setFile(null);
      void queryClient.invalidateQueries({ queryKey: ['inbox'] });
      navigate('certify', entry.id);
    },
  });
  return (
    <Card withBorder data-testid="certify-add">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('certify.addTitle')}
        </Title>
        <FileInput
          label={t('certify.fromFile')}
          placeholder={t('certify.fromFilePlaceholder')}
          accept="application/json,.json"
          value={file}
          onChange={(chosen) => {
            setFile(chosen);
            if (chosen) add.mutate(chosen);
          }}
          leftSection={<IconFileUpload size={16} aria-hidden />}
          disabled={add.isPending}
          clearable
          data-testid="certify-file"
        />
        <Textarea
          label={t('certify.paste')}
          placeholder={t('certify.pastePlaceholder')}
          autosize
          minRows={3}
          maxRows={10}
          value={pasted}
          onChange={(event) => setPasted(event.currentTarget.value)}
          classNames={{ input: 'mono' }}
          data-testid="certify-paste"
        />
        <Group>
          <Button
            onClick={() => add.mutate(pasted)}
            disabled={pasted.trim().length === 0}
            loading={add.isPending}
            data-testid="certify-paste-add"
          >
            {t('certify.addPasted')}
          </Button>
        </Group>
        {add.isError ? <ErrorAlert error={add.error} /> : null}
      </Stack>
    </Card>
  );
}

function Inbox({ selected }: { selected: string | undefined }) {
  const { t } = useTranslation();
  const inbox = useApi('inbox', undefined, { refetchInterval: 15_000 });
  return (
    <Card withBorder data-testid="certify-inbox">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('certify.inbox')}
        </Title>
        <QueryView query={inbox} empty={t('certify.inboxEmpty')}>
          {(entries) => (
            <div className="table-wrap">
              <Table highlightOnHover aria-label={t('certify.inbox')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('certify.columns.object')}</Table.Th>
                    <Table.Th>{t('certify.columns.price')}</Table.Th>
                    <Table.Th>{t('certify.columns.state')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {entries.map((entry) => (
                    <Table.Tr
                      key={entry.id}
                      bg={entry.id === selected ? 'var(--mantine-color-indigo-light)' : undefined}
                      data-testid="inbox-row"
                      data-id={entry.id}
                    >
                      <Table.Td
                        className="nowrap"
                        title={`${t('certify.columns.added')}: ${formatTime(entry.addedAtMs)}`}
                      >
                        <a href={href('certify', entry.id)} aria-current={entry.id === selected ? 'true' : undefined}>
                          {entry.objectId}
                        </a>
                      </Table.Td>
                      <Table.Td className="nowrap">{formatMoney(entry.priceMinor)}</Table.Td>
                      <Table.Td className="nowrap">
                        <Badge variant="light" color={entry.certifiedTxHash ? 'green' : 'gray'}>
                          {entry.certifiedTxHash ? t('certify.certified') : t('certify.waiting')}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </QueryView>
      </Stack>
    </Card>
  );
}

function Parties({
  title,
  owners,
  testid,
}: {
  title: string;
  owners: readonly { key: string; share: readonly [number, number] }[];
  testid: string;
}) {
  const { t } = useTranslation();
  return (
    <div>
      <Text fw={600} size="sm" mb={4}>
        {title}
      </Text>
      <Table withTableBorder aria-label={title} data-testid={testid}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('certify.partyKey')}</Table.Th>
            <Table.Th>{t('certify.share')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {owners.map((owner) => (
            <Table.Tr key={owner.key}>
              <Table.Td>
                <Hash value={owner.key} />
              </Table.Td>
              <Table.Td>{formatShare(owner.share)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function Checks({ checks }: { checks: TransferChecks }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" data-testid="certify-checks" data-ok={String(checks.ok)}>
      <Group justify="space-between">
        <Title order={3} size="h5">
          {t('certify.checksTitle')}
        </Title>
        <Text size="xs" c="dimmed">
          {t('certify.checksAt', { height: checks.atHeight })}
        </Text>
      </Group>
      <Alert color={checks.ok ? 'green' : 'red'} variant="light">
        {checks.ok ? t('certify.checksOk') : t('certify.checksFail')}
      </Alert>
      <ul className="checks" aria-label={t('certify.checksTitle')}>
        {checks.checks.map((check) => {
          const reason = check.ok ? null : rejectSentence(t, check.code);
          return (
            <li key={check.check} data-testid={`check-${check.check}`} data-ok={String(check.ok)}>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                {check.ok ? (
                  <IconCircleCheck color="var(--mantine-color-green-7)" aria-label={t('certify.passed')} role="img" />
                ) : (
                  <IconCircleX color="var(--mantine-color-red-7)" aria-label={t('certify.failed')} role="img" />
                )}
                <div>
                  <Text size="sm" fw={check.ok ? 400 : 600}>
                    {t(`certify.check.${check.check}`)}
                  </Text>
                  {!check.ok ? (
                    <Text size="sm" c="red.8">
                      {reason ?? check.sentence}
                    </Text>
                  ) : null}
                  {!check.ok && reason ? (
                    <Text size="xs" c="dimmed">
                      {t('errors.nodeSays', { message: check.sentence })}
                    </Text>
                  ) : null}
                </div>
              </Group>
            </li>
          );
        })}
      </ul>
    </Stack>
  );
}

function ContractDetail({ entry }: { entry: InboxEntry }) {
  const { t } = useTranslation();
  const client = useClient();
  const queryClient = useQueryClient();
  const status = useStatus();
  const identity = useIdentity();
  const checks = useApi('inboxChecks', { params: { id: entry.id } }, { enabled: !entry.certifiedTxHash });
  const [confirm, setConfirm] = useState<'none' | 'normal' | 'failing' | 'remove'>('none');
  const [result, setResult] = useState<SubmitResult | null>(null);
  const online = status.data?.online ?? true;

  const certify = useMutation({
    mutationFn: () => client.call('inboxCertify', { params: { id: entry.id }, body: {} }),
    onSuccess: (answer) => {
      // the answer's status seeds the progress view (as its initial data), never overwriting a
      // newer one: on a fast network the "final" event can arrive before this answer does
      setResult(answer);
      void queryClient.invalidateQueries({ queryKey: ['inbox'] });
      void queryClient.invalidateQueries({ queryKey: ['outbox'] });
    },
    onError: (error) => notify({ color: 'red', title: t('errors.title'), message: explainError(t, error).sentence }),
  });
  const remove = useMutation({
    mutationFn: () => client.call('inboxRemove', { params: { id: entry.id }, body: {} }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['inbox'] });
      navigate('certify');
    },
  });

  const draft = entry.draft;
  if (draft.type !== 'transfer') return null;
  const { contract, duty, notary, consents } = draft.payload;
  const role = identity.data?.role;
  const isNotary = role === 'notary';
  const certifiedHash = result?.txHash ?? entry.certifiedTxHash;
  const runCertify = () => {
    setConfirm('none');
    certify.mutate();
  };

  return (
    <Card withBorder data-testid="certify-detail" data-id={entry.id}>
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t('certify.contract')}: {contract.objectId}
          </Title>
          {!certifiedHash ? (
            <Button
              variant="subtle"
              color="red"
              size="xs"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={() => setConfirm('remove')}
              loading={remove.isPending}
            >
              {t('certify.remove')}
            </Button>
          ) : null}
        </Group>
        <Table withTableBorder aria-label={t('certify.contract')}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th scope="row">{t('certify.object')}</Table.Th>
              <Table.Td>
                <a href={href('registry', contract.objectId)}>{contract.objectId}</a> · {t('certify.objectVersion')}:{' '}
                {contract.objectVersion}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('certify.price')}</Table.Th>
              <Table.Td data-testid="certify-price">{formatMoney(contract.priceMinor, contract.currency)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('certify.duty')}</Table.Th>
              <Table.Td>
                {formatMoney(duty.amountMinor)} · {t('certify.dutyReference')}: {duty.reference}
                {checks.data ? ` · ${t('certify.dutyOwed')}: ${formatMoney(checks.data.dutyOwedMinor)}` : ''}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('certify.notary')}</Table.Th>
              <Table.Td>
                <Hash value={notary} />
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('certify.expires')}</Table.Th>
              <Table.Td>{formatTime(draft.expiresAtMs)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('certify.columns.added')}</Table.Th>
              <Table.Td>{formatTime(entry.addedAtMs)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        <Grid>
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <Parties title={t('certify.sellers')} owners={contract.sellers} testid="certify-sellers" />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <Parties title={t('certify.buyers')} owners={contract.buyers} testid="certify-buyers" />
          </Grid.Col>
        </Grid>
        <Text size="sm" c="dimmed">
          {t('certify.consents', { count: consents.length })}
        </Text>

        {certifiedHash ? (
          <section aria-label={t('certify.resultTitle')}>
            <Title order={3} size="h5" mb="xs">
              {t('certify.resultTitle')}
            </Title>
            <TxProgress txHash={certifiedHash} initial={result?.status} />
          </section>
        ) : (
          <>
            <QueryView query={checks}>{(data) => <Checks checks={data} />}</QueryView>
            {!online ? (
              <Alert color="orange" variant="light">
                {t('certify.confirmOffline')}
              </Alert>
            ) : null}
            {identity.isError ? <Alert color="yellow">{t('certify.identityUnknown')}</Alert> : null}
            {identity.data && !isNotary ? (
              <Alert color="yellow">{t('certify.notNotary', { role: t(`role.${identity.data.role}`) })}</Alert>
            ) : null}
            <Group>
              <Button
                size="md"
                leftSection={<IconSignature size={18} aria-hidden />}
                color={online ? 'indigo' : 'orange'}
                disabled={!isNotary || checks.isPending}
                loading={certify.isPending}
                onClick={() => setConfirm(checks.data && !checks.data.ok ? 'failing' : 'normal')}
                data-testid="certify-button"
              >
                {online ? t('certify.certifyButton') : t('certify.certifyOffline')}
              </Button>
            </Group>
            {certify.isError ? <ErrorAlert error={certify.error} /> : null}
          </>
        )}
      </Stack>

      <Modal
        opened={confirm === 'normal'}
        onClose={() => setConfirm('none')}
        title={t('certify.confirmTitle')}
        centered
      >
        <Stack>
          <Text>{t('certify.confirmBody', { object: contract.objectId })}</Text>
          {!online ? <Alert color="orange">{t('certify.confirmOffline')}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm('none')}>
              {t('app.cancel')}
            </Button>
            <Button onClick={runCertify} data-testid="certify-confirm">
              {online ? t('certify.certifyButton') : t('certify.certifyOffline')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        opened={confirm === 'failing'}
        onClose={() => setConfirm('none')}
        title={t('certify.confirmFailTitle')}
        centered
      >
        <Stack>
          <Alert color="red">{t('certify.confirmFail')}</Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm('none')}>
              {t('app.cancel')}
            </Button>
            <Button color="red" onClick={runCertify} data-testid="certify-confirm">
              {t('certify.certifyAnyway')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        opened={confirm === 'remove'}
        onClose={() => setConfirm('none')}
        title={t('certify.removeConfirmTitle')}
        centered
      >
        <Stack>
          <Text>{t('certify.removeConfirm')}</Text>
          {remove.isError ? <ErrorAlert error={remove.error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm('none')}>
              {t('app.cancel')}
            </Button>
            <Button
              color="red"
              onClick={() => {
                setConfirm('none');
                remove.mutate();
              }}
            >
              {t('certify.remove')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function Outbox() {
  const { t } = useTranslation();
  const outbox = useApi('outbox', undefined, { refetchInterval: 10_000 });
  return (
    <Card withBorder data-testid="certify-outbox">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('certify.outboxTitle')}
        </Title>
        <QueryView query={outbox} empty={t('certify.outboxEmpty')}>
          {(entries) => (
            <div className="table-wrap">
              <Table aria-label={t('certify.outboxTitle')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('certify.outboxColumns.tx')}</Table.Th>
                    <Table.Th>{t('certify.outboxColumns.type')}</Table.Th>
                    <Table.Th>{t('certify.outboxColumns.state')}</Table.Th>
                    <Table.Th>{t('certify.outboxColumns.added')}</Table.Th>
                    <Table.Th>{t('certify.outboxColumns.updated')}</Table.Th>
                    <Table.Th>{t('certify.outboxColumns.result')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {entries.map((entry) => (
                    <Table.Tr key={entry.seq} data-testid="outbox-row" data-state={entry.state}>
                      <Table.Td>
                        <Hash value={entry.txHash} href={href('explorer', 'tx', entry.txHash)} />
                      </Table.Td>
                      <Table.Td>{txTypeLabel(t, entry.type)}</Table.Td>
                      <Table.Td className="nowrap">
                        <TxStateBadge
                          state={entry.state === 'pending' ? 'outbox' : entry.state}
                          height={entry.height}
                        />
                      </Table.Td>
                      <Table.Td className="nowrap">{formatShortTime(entry.addedAtMs)}</Table.Td>
                      <Table.Td className="nowrap">{formatShortTime(entry.updatedAtMs)}</Table.Td>
                      <Table.Td>
                        {entry.state === 'rejected'
                          ? (rejectSentence(t, entry.code) ?? entry.sentence ?? '')
                          : entry.height !== undefined
                            ? t('app.height', { height: entry.height })
                            : ''}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </QueryView>
      </Stack>
    </Card>
  );
}

export function Certify({ parts }: { parts: string[] }) {
  const { t } = useTranslation();
  const selectedId = parts[0];
  const inbox = useApi('inbox', undefined, { refetchInterval: 15_000 });
  const selected = inbox.data?.find((entry) => entry.id === selectedId);
  return (
    <Stack data-testid="screen-certify" gap="lg">
      <Title order={1}>{t('certify.title')}</Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack>
            <Inbox selected={selectedId} />
            <AddContract />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          {selected ? (
            <ContractDetail key={selected.id} entry={selected} />
          ) : (
            <Card withBorder>
              <Text c="dimmed">{t('certify.selectPrompt')}</Text>
            </Card>
          )}
        </Grid.Col>
      </Grid>
      <Outbox />
    </Stack>
  );
}
