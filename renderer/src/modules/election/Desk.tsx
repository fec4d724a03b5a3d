// Register voters at a desk (an office that identified them): choose the election and the
// district, take each voter's public credential (camera, photo, or typed), or make and print one
// for a voter with no device; malformed and duplicate keys are refused at once; the list is sent
// in election.credential.register transactions of at most 100, signed by this office's node.
import { ActionIcon, Alert, Badge, Button, Card, Grid, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconPrinter, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { ErrorAlert, Hash } from '../../components/common.js';
import { QueryView } from '../../components/QueryView.js';
import { TxProgress } from '../../components/TxProgress.js';
import { useApi, useClient, useNow } from '../../data.js';
import { navigate } from '../../router.js';
import type { ScreenProps } from '../types.js';
import { credentialOnChain, registerCredentials } from './api.js';
import { chosenEntries, desk, useDesk, type EntrySource } from './deskStore.js';
import { useElection, useElectionList, useRefreshOnBlock } from './hooks.js';
import { batches, makeCredential, parseCredential } from './model.js';
import { holdForPrint } from './print.js';
import { Scanner } from './Scanner.js';

type Message =
  | { kind: 'added' | 'duplicate' | 'onChain' | 'checking'; key: string; election?: string; district?: string }
  | { kind: 'empty' | 'secret' | 'malformed' | 'notOnCurve' | 'full' | 'checkFailed' };

function Choose({ onMessage }: { onMessage: (message: Message | null) => void }) {
  const { t } = useTranslation();
  const list = useElectionList();
  const state = useDesk();
  const election = useApi('election', { params: { id: state.election ?? '-' } }, { enabled: state.election !== null });
  const open = (list.data ?? []).filter((entry) => entry.phase === 'keygen' || entry.phase === 'voting');
  const options = open.map((entry) => ({ value: entry.id, label: `${entry.title} (${entry.id})` }));
  // the election chosen (a link from its page) is offered even when the list does not hold it
  if (state.election && election.data && !options.some((option) => option.value === state.election))
    options.unshift({ value: election.data.id, label: `${election.data.title} (${election.data.id})` });
  return (
    <Card withBorder data-testid="desk-choose">
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Select
            label={t('elections.desk.election')}
            placeholder={t('elections.desk.chooseElection')}
            data={options}
            value={state.election}
            onChange={(value) => {
              onMessage(null);
              desk.choose(value, null);
            }}
            nothingFoundMessage={t('elections.desk.noOpenElection')}
            searchable
            data-testid="desk-election"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Select
            label={t('elections.desk.district')}
            placeholder={t('elections.desk.chooseDistrict')}
            data={election.data?.districts ?? []}
            value={state.district}
            onChange={(value) => {
              onMessage(null);
              desk.choose(state.election, value);
            }}
            disabled={!election.data}
            searchable
            data-testid="desk-district"
          />
        </Grid.Col>
      </Grid>
      {list.isError ? <ErrorAlert error={list.error} /> : null}
    </Card>
  );
}

function MessageLine({ message }: { message: Message | null }) {
  const { t } = useTranslation();
  const good = message?.kind === 'added' || message?.kind === 'checking';
  return (
    <div aria-live="assertive" role="status" data-testid="desk-message" data-kind={message?.kind ?? ''}>
      {message ? (
        <Alert color={good ? 'green' : 'red'} variant="light">
          {t(`elections.desk.messages.${message.kind}`, {
            key: 'key' in message ? `${message.key.slice(0, 8)}…${message.key.slice(-4)}` : '',
            election: ('election' in message ? message.election : '') ?? '',
            district: ('district' in message ? message.district : '') ?? '',
          })}
        </Alert>
      ) : null}
    </div>
  );
}

function Session({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const client = useClient();
  const state = useDesk();
  const entries = chosenEntries(state);
  const waiting = entries.filter((entry) => !entry.txHash);
  const sentHashes = [...new Set(entries.flatMap((entry) => (entry.txHash ? [entry.txHash] : [])))];
  const register = useMutation({
    mutationFn: async () => {
      const district = state.district!;
      for (const batch of batches(waiting.map((entry) => entry.key))) {
        const result = await registerCredentials(client, view.id, { district, credentials: batch });
        desk.sent(batch, result.txHash);
      }
    },
  });
  return (
    <Card withBorder data-testid="desk-session" data-waiting={waiting.length}>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('elections.desk.sessionTitle', { count: entries.length })}
        </Title>
        {entries.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t('elections.desk.sessionEmpty')}
          </Text>
        ) : (
          <div className="table-wrap">
            <Table aria-label={t('elections.desk.sessionTable')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('elections.desk.columns.key')}</Table.Th>
                  <Table.Th>{t('elections.desk.columns.source')}</Table.Th>
                  <Table.Th>{t('elections.desk.columns.state')}</Table.Th>
                  <Table.Th>
                    <span className="visually-hidden">{t('elections.desk.columns.actions')}</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.slice(-200).map((entry) => (
                  <Table.Tr
                    key={entry.key}
                    data-testid="desk-entry"
                    data-key={entry.key}
                    data-sent={String(!!entry.txHash)}
                  >
                    <Table.Td>
                      <Hash value={entry.key} />
                    </Table.Td>
                    <Table.Td>{t(`elections.desk.sources.${entry.source}`)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={entry.txHash ? 'blue' : 'gray'}>
                        {entry.txHash ? t('elections.desk.sent') : t('elections.desk.waiting')}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {entry.txHash ? null : (
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={t('elections.desk.remove', { key: entry.key.slice(0, 8) })}
                          onClick={() => desk.remove(entry.key)}
                        >
                          <IconTrash size={16} aria-hidden />
                        </ActionIcon>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
        <Group>
          <Button
            onClick={() => register.mutate()}
            disabled={waiting.length === 0 || register.isPending}
            loading={register.isPending}
            data-testid="desk-register"
          >
            {t('elections.desk.register', { count: waiting.length, transactions: batches(waiting).length })}
          </Button>
          {sentHashes.length > 0 ? (
            <Button variant="subtle" onClick={() => desk.clearSent()} data-testid="desk-clear-sent">
              {t('elections.desk.clearSent')}
            </Button>
          ) : null}
        </Group>
        {register.isError ? <ErrorAlert error={register.error} /> : null}
        {sentHashes.map((txHash) => (
          <Card withBorder key={txHash} data-testid="desk-batch">
            <Stack gap="xs">
              <Text size="sm">
                {t('elections.desk.batch', { count: entries.filter((entry) => entry.txHash === txHash).length })}
              </Text>
              <TxProgress txHash={txHash} />
              <Group>
                <Button size="xs" variant="subtle" onClick={() => desk.unsend(txHash)}>
                  {t('elections.desk.unsend')}
                </Button>
              </Group>
            </Stack>
          </Card>
        ))}
      </Stack>
    </Card>
  );
}

function NoDevice({ view, district }: { view: ElectionView; district: string }) {
  const { t } = useTranslation();
  const print = () => {
    const { pair, file } = makeCredential();
    const id = holdForPrint({ election: view.id, title: view.title, district, publicKey: pair.publicKey, file });
    navigate('print', 'credential', id);
  };
  return (
    <Card withBorder data-testid="desk-no-device">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('elections.desk.noDeviceTitle')}
        </Title>
        <Text size="sm">{t('elections.desk.noDeviceText')}</Text>
        <Alert color="yellow" variant="light">
          {t('elections.desk.noDeviceTrust')}
        </Alert>
        <Group>
          <Button
            leftSection={<IconPrinter size={16} aria-hidden />}
            onClick={print}
            data-testid="desk-make-credential"
          >
            {t('elections.desk.makeCredential')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function Open({ id, district }: { id: string; district: string | null }) {
  const { t } = useTranslation();
  const client = useClient();
  const query = useElection(id);
  const now = useNow(5_000);
  const [message, setMessage] = useState<Message | null>(null);
  const take = async (text: string, source: EntrySource) => {
    const parsed = parseCredential(text);
    if ('problem' in parsed) return setMessage({ kind: parsed.problem });
    if (desk.get().entries.some((entry) => entry.key === parsed.key))
      return setMessage({ kind: 'duplicate', key: parsed.key });
    setMessage({ kind: 'checking', key: parsed.key });
    let record;
    try {
      record = await credentialOnChain(client, parsed.key);
    } catch {
      return setMessage({ kind: 'checkFailed' });
    }
    if (record)
      return setMessage({ kind: 'onChain', key: parsed.key, election: record.election, district: record.district });
    const added = desk.add(parsed.key, source);
    setMessage(
      added === 'added'
        ? { kind: 'added', key: parsed.key }
        : added === 'full'
          ? { kind: 'full' }
          : { kind: 'duplicate', key: parsed.key },
    );
  };
  return (
    <QueryView query={query}>
      {(view) => {
        const closed = view.phase === 'closed' || view.phase === 'final' || now >= view.closesAtMs;
        if (closed)
          return (
            <Alert color="orange" variant="light" data-testid="desk-closed">
              {t('elections.desk.registrationClosed')}
            </Alert>
          );
        if (!district) return <Text c="dimmed">{t('elections.desk.chooseDistrictFirst')}</Text>;
        return (
          <Stack gap="lg">
            <Card withBorder>
              <Stack gap="sm">
                <Title order={2} size="h4">
                  {t('elections.desk.scanTitle')}
                </Title>
                <Text size="sm">{t('elections.desk.scanText')}</Text>
                <Scanner onText={(text, source) => void take(text, source)} disabled={false} />
                <MessageLine message={message} />
              </Stack>
            </Card>
            <NoDevice view={view} district={district} />
            <Session view={view} />
          </Stack>
        );
      }}
    </QueryView>
  );
}

export function Desk({ parts }: ScreenProps) {
  const { t } = useTranslation();
  useRefreshOnBlock();
  const state = useDesk();
  // #/electionDesk/<id>: the election's page sends the desk here with its election chosen
  const [linked] = parts;
  useEffect(() => {
    if (linked && linked !== desk.get().election) desk.choose(linked, null);
  }, [linked]);
  const [, setMessage] = useState<Message | null>(null);
  return (
    <Stack gap="lg" data-testid="screen-election-desk">
      <Title order={1}>{t('elections.desk.title')}</Title>
      <Text>{t('elections.desk.explain')}</Text>
      <Choose onMessage={setMessage} />
      {state.election ? <Open key={state.election} id={state.election} district={state.district} /> : null}
    </Stack>
  );
}
