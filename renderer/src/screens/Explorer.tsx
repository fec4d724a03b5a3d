// Explorer: latest blocks (paged with `before`), a block's header and transactions, a transaction's status and receipt.
import { Anchor, Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconArrowLeft, IconDownload, IconPrinter, IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Hash, RejectReason, TxStateBadge } from '../components/common.js';
import { QueryView } from '../components/QueryView.js';
import { useApi } from '../data.js';
import { downloadJson, formatShortTime, formatTime } from '../format.js';
import { href, navigate } from '../router.js';

const HASH = /^[0-9a-f]{64}$/;
const PAGE = '20';

function BlockList() {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const page = useApi(
    'blocks',
    { query: { limit: PAGE, ...(before === undefined ? {} : { before: String(before) }) } },
    { refetchInterval: before === undefined ? 5_000 : false, placeholderData: (previous) => previous },
  );
  const oldest = page.data?.blocks.at(-1)?.header.height;
  return (
    <Card withBorder data-testid="explorer-blocks">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {t('explorer.latestBlocks')}
        </Title>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setCursors([])} disabled={cursors.length === 0}>
            {t('explorer.newest')}
          </Button>
          <Button
            variant="default"
            size="xs"
            onClick={() => setCursors((list) => list.slice(0, -1))}
            disabled={cursors.length === 0}
            data-testid="explorer-newer"
          >
            {t('explorer.newer')}
          </Button>
          <Button
            variant="default"
            size="xs"
            onClick={() => oldest !== undefined && setCursors((list) => [...list, oldest])}
            disabled={oldest === undefined || oldest <= 0}
            data-testid="explorer-older"
          >
            {t('explorer.older')}
          </Button>
        </Group>
      </Group>
      <QueryView query={page} isEmpty={(data) => data.blocks.length === 0}>
        {(data) => (
          <div className="table-wrap">
            <Table highlightOnHover aria-label={t('explorer.latestBlocks')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('explorer.columns.height')}</Table.Th>
                  <Table.Th>{t('explorer.columns.time')}</Table.Th>
                  <Table.Th>{t('explorer.columns.txs')}</Table.Th>
                  <Table.Th>{t('explorer.columns.proposer')}</Table.Th>
                  <Table.Th>{t('explorer.columns.hash')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.blocks.map((block) => (
                  <Table.Tr key={block.hash} data-testid="block-row" data-height={block.header.height}>
                    <Table.Td>
                      <a href={href('explorer', 'block', block.header.height)}>{block.header.height}</a>
                    </Table.Td>
                    <Table.Td className="nowrap">{formatShortTime(block.header.timeMs)}</Table.Td>
                    <Table.Td>{block.txCount}</Table.Td>
                    <Table.Td>
                      <Hash value={block.header.proposer} />
                    </Table.Td>
                    <Table.Td>
                      <Hash value={block.hash} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </QueryView>
    </Card>
  );
}

function Lookup() {
  const { t } = useTranslation();
  const [hash, setHash] = useState('');
  const [height, setHeight] = useState('');
  const [touched, setTouched] = useState(false);
  const valid = HASH.test(hash.trim().toLowerCase());
  const findTx = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (valid) navigate('explorer', 'tx', hash.trim().toLowerCase());
  };
  const goBlock = (event: FormEvent) => {
    event.preventDefault();
    if (/^\d+$/.test(height.trim())) navigate('explorer', 'block', height.trim());
  };
  return (
    <Card withBorder>
      <Stack gap="sm">
        <form onSubmit={findTx} aria-label={t('explorer.txLookup')}>
          <Group align="flex-end" wrap="nowrap">
            <TextInput
              label={t('explorer.txHashLabel')}
              value={hash}
              onChange={(event) => setHash(event.currentTarget.value)}
              error={touched && !valid ? t('explorer.txHashInvalid') : undefined}
              style={{ flex: 1 }}
              classNames={{ input: 'mono' }}
              maxLength={64}
              data-testid="explorer-tx-input"
            />
            <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />} data-testid="explorer-tx-find">
              {t('explorer.find')}
            </Button>
          </Group>
        </form>
        <form onSubmit={goBlock} aria-label={t('explorer.blockLookup')}>
          <Group align="flex-end" wrap="nowrap">
            <TextInput
              label={t('explorer.blockHeightLabel')}
              value={height}
              onChange={(event) => setHeight(event.currentTarget.value)}
              inputMode="numeric"
              w={200}
              data-testid="explorer-block-input"
            />
            <Button type="submit" variant="default">
              {t('explorer.go')}
            </Button>
          </Group>
        </form>
      </Stack>
    </Card>
  );
}

function BlockDetail({ height }: { height: string }) {
  const { t } = useTranslation();
  const block = useApi('block', { params: { height } });
  const field = (label: string, value: ReactNode) => (
    <Table.Tr>
      <Table.Th scope="row" w={220}>
        {label}
      </Table.Th>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
  return (
    <Stack gap="md" data-testid="explorer-block" data-height={height}>
      <Title order={2}>{t('explorer.blockTitle', { height })}</Title>
      <QueryView query={block}>
        {({ header, ...data }) => (
          <>
            <Card withBorder>
              <Title order={3} size="h5" mb="xs">
                {t('explorer.header')}
              </Title>
              <Table aria-label={t('explorer.header')}>
                <Table.Tbody>
                  {field(t('explorer.fields.height'), header.height)}
                  {field(t('explorer.fields.time'), formatTime(header.timeMs))}
                  {field(t('explorer.fields.chainId'), header.chainId)}
                  {field(t('explorer.fields.hash'), <Hash value={data.hash} full />)}
                  {field(
                    t('explorer.fields.prevHash'),
                    header.height > 0 ? (
                      <Hash value={header.prevHash} href={href('explorer', 'block', header.height - 1)} />
                    ) : (
                      <Hash value={header.prevHash} />
                    ),
                  )}
                  {field(t('explorer.fields.proposer'), <Hash value={header.proposer} full />)}
                  {field(t('explorer.fields.txRoot'), <Hash value={header.txRoot} />)}
                  {field(t('explorer.fields.stateRoot'), <Hash value={header.stateRoot} />)}
                  {field(t('explorer.fields.validatorsHash'), <Hash value={header.validatorsHash} />)}
                  {field(t('explorer.fields.appHash'), <Hash value={header.appHash} />)}
                </Table.Tbody>
              </Table>
            </Card>
            <Card withBorder>
              <Title order={3} size="h5" mb="xs">
                {t('explorer.transactions')} ({data.txCount})
              </Title>
              {data.txHashes.length === 0 ? <Text c="dimmed">{t('explorer.noTransactions')}</Text> : null}
              <Stack gap={4}>
                {data.txHashes.map((txHash) => (
                  <Hash key={txHash} value={txHash} href={href('explorer', 'tx', txHash)} full />
                ))}
              </Stack>
            </Card>
            <Card withBorder data-testid="explorer-commit">
              <Title order={3} size="h5" mb="xs">
                {t('explorer.commit')}
              </Title>
              {data.commit === null ? (
                <Text c="dimmed">{t('explorer.commitMissing')}</Text>
              ) : (
                <>
                  <Text size="sm" mb="xs">
                    {t('explorer.commitInfo', {
                      round: data.commit.round,
                      count: data.commit.signatures.length,
                    })}
                  </Text>
                  <Table aria-label={t('explorer.commit')}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('explorer.signer')}</Table.Th>
                        <Table.Th>{t('explorer.signature')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.commit.signatures.map((entry) => (
                        <Table.Tr key={entry.validator}>
                          <Table.Td>
                            <Hash value={entry.validator} />
                          </Table.Td>
                          <Table.Td>
                            <Hash value={entry.signature} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </>
              )}
            </Card>
          </>
        )}
      </QueryView>
    </Stack>
  );
}

function TxDetail({ txHash }: { txHash: string }) {
  const { t } = useTranslation();
  const status = useApi(
    'txStatus',
    { params: { txHash } },
    { refetchInterval: (q) => (q.state.data?.state === 'final' || q.state.data?.state === 'rejected' ? false : 3_000) },
  );
  const final = status.data?.state === 'final';
  const receipt = useApi('receipt', { params: { txHash } }, { enabled: final });
  return (
    <Stack gap="md" data-testid="explorer-tx" data-hash={txHash}>
      <Title order={2}>{t('explorer.txTitle')}</Title>
      <Card withBorder>
        <Stack gap="sm">
          <Hash value={txHash} full />
          <QueryView query={status}>
            {(data) => (
              <>
                <Group gap="sm">
                  <Text size="sm" fw={600}>
                    {t('explorer.status')}:
                  </Text>
                  <TxStateBadge state={data.state} height={data.state === 'final' ? data.height : undefined} />
                  {data.state === 'final' ? (
                    <Anchor href={href('explorer', 'block', data.height)} size="sm">
                      {t('explorer.inBlock', { height: data.height, index: data.index })}
                    </Anchor>
                  ) : null}
                </Group>
                {data.state === 'rejected' ? <RejectReason code={data.code} sentence={data.sentence} /> : null}
                {data.state !== 'final' ? (
                  <Text size="sm" c="dimmed">
                    {t('explorer.receiptUnavailable')}
                  </Text>
                ) : null}
              </>
            )}
          </QueryView>
          <QueryView query={receipt} error="alert">
            {(data) => (
              <Group gap="sm">
                <Text size="sm">
                  {t('print.type')}: {t(`txType.${data.tx.type}`)}
                </Text>
                <Button
                  size="xs"
                  leftSection={<IconPrinter size={14} aria-hidden />}
                  onClick={() => navigate('print', 'receipt', txHash)}
                  data-testid="explorer-print-receipt"
                >
                  {t('registry.printReceipt')}
                </Button>
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconDownload size={14} aria-hidden />}
                  onClick={() => downloadJson(`receipt-${txHash.slice(0, 16)}.json`, data)}
                >
                  {t('print.downloadReceipt')}
                </Button>
              </Group>
            )}
          </QueryView>
        </Stack>
      </Card>
    </Stack>
  );
}

export function Explorer({ parts }: { parts: string[] }) {
  const { t } = useTranslation();
  const [kind, id] = parts;
  const detail =
    kind === 'block' && id && /^\d+$/.test(id) ? (
      <BlockDetail height={id} />
    ) : kind === 'tx' && id && HASH.test(id) ? (
      <TxDetail txHash={id} />
    ) : null;
  return (
    <Stack data-testid="screen-explorer" gap="lg">
      <Title order={1}>{t('explorer.title')}</Title>
      {detail ? (
        <>
          <Group>
            <Button
              variant="subtle"
              leftSection={<IconArrowLeft size={16} aria-hidden />}
              component="a"
              href={href('explorer')}
            >
              {t('app.back')}
            </Button>
          </Group>
          {detail}
        </>
      ) : (
        <>
          <Lookup />
          <BlockList />
        </>
      )}
    </Stack>
  );
}
