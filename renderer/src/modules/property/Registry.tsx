// Registry: search by cadastral number or owner key; the object page with owners,
// encumbrances, history, a registrar's correction, and the printable certificate and receipts.
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { IconArrowLeft, IconPrinter, IconReceipt, IconSearch } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Hash } from '../../components/common.js';
import { QueryView } from '../../components/QueryView.js';
import { useApi } from '../../data.js';
import { formatArea, formatShare } from '../../format.js';
import { CorrectRecord } from './CorrectRecord.js';
import { href, navigate } from '../../router.js';

function Search({ initial }: { initial: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(initial);
  const query = initial.trim();
  const search = useApi('search', { query: { q: query } }, { enabled: query.length > 0 });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    if (q) window.location.hash = `${href('registry')}?q=${encodeURIComponent(q)}`;
  };
  return (
    <Stack gap="md">
      <form onSubmit={submit} role="search" aria-label={t('registry.search')}>
        <Group align="flex-end" wrap="nowrap">
          <TextInput
            label={t('registry.searchLabel')}
            placeholder={t('registry.searchPlaceholder')}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            style={{ flex: 1, maxWidth: 640 }}
            maxLength={128}
            data-testid="registry-search-input"
            leftSection={<IconSearch size={16} aria-hidden />}
          />
          <Button type="submit" loading={search.isFetching && query.length > 0} data-testid="registry-search-button">
            {t('registry.search')}
          </Button>
        </Group>
      </form>
      <QueryView
        query={search}
        loader={false}
        error="alert"
        isEmpty={(data) => data.results.length === 0}
        empty={(data) => (
          <Text data-testid="registry-no-results">{t('registry.noResults', { query: data.query })}</Text>
        )}
      >
        {(data) => (
          <Card withBorder data-testid="registry-results">
            <Text size="sm" c="dimmed" mb="xs">
              {data.match === 'owner' ? t('registry.matchOwner') : t('registry.matchObject')}
            </Text>
            <div className="table-wrap">
              <Table highlightOnHover aria-label={t('registry.search')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('registry.columns.id')}</Table.Th>
                    <Table.Th>{t('registry.columns.kind')}</Table.Th>
                    <Table.Th>{t('registry.columns.address')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.results.map((result) => (
                    <Table.Tr key={result.id}>
                      <Table.Td>
                        <a href={href('registry', result.id)}>{result.id}</a>
                      </Table.Td>
                      <Table.Td>{t(`kind.${result.kind}`)}</Table.Td>
                      <Table.Td>{result.address}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
            {data.truncated ? (
              <Text size="sm" c="dimmed" mt="xs">
                {t('registry.truncated')}
              </Text>
            ) : null}
          </Card>
        )}
      </QueryView>
    </Stack>
  );
}

function ObjectPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const property = useApi('property', { params: { id } });
  const history = useApi('propertyHistory', { params: { id } });
  return (
    <Stack gap="md" data-testid="registry-object" data-id={id}>
      <Group justify="space-between">
        <Button
          variant="subtle"
          leftSection={<IconArrowLeft size={16} aria-hidden />}
          component="a"
          href={href('registry')}
        >
          {t('registry.backToSearch')}
        </Button>
        <Button
          leftSection={<IconPrinter size={16} aria-hidden />}
          onClick={() => navigate('print', 'certificate', id)}
          disabled={!property.data}
          data-testid="registry-print-certificate"
        >
          {t('registry.printCertificate')}
        </Button>
      </Group>
      <Title order={2}>{t('registry.objectTitle', { id })}</Title>
      <QueryView query={property}>
        {({ property: object, inSync, behind }) => (
          <>
            {!inSync && (
              <Alert color="yellow" data-testid="registry-not-in-sync" data-reason={behind?.reason}>
                {behind?.blocks ? t('registry.notInSyncBlocks', { blocks: behind.blocks }) : t('registry.notInSync')}
              </Alert>
            )}
            <Card withBorder>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('registry.address')}
                  </Text>
                  <Text>{object.address}</Text>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('registry.kind')}
                  </Text>
                  <Text>{t(`kind.${object.kind}`)}</Text>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('registry.area')}
                  </Text>
                  <Text>{t('registry.areaValue', { value: formatArea(object.areaDm2) })}</Text>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('registry.version')}
                  </Text>
                  <Text>{object.version}</Text>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('registry.registeredAt')}
                  </Text>
                  <Anchor href={href('explorer', 'block', object.registeredHeight)}>{object.registeredHeight}</Anchor>
                </div>
                <div>
                  <Text size="sm" c="dimmed">
                    {t('registry.updatedAt')}
                  </Text>
                  <Anchor href={href('explorer', 'block', object.updatedHeight)}>{object.updatedHeight}</Anchor>
                </div>
              </SimpleGrid>
            </Card>
            <CorrectRecord object={object} />
            <Card withBorder>
              <Title order={3} size="h4" mb="xs">
                {t('registry.owners')}
              </Title>
              <Table aria-label={t('registry.owners')} data-testid="registry-owners">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('registry.owner')}</Table.Th>
                    <Table.Th>{t('registry.share')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {object.owners.map((owner) => (
                    <Table.Tr key={owner.key}>
                      <Table.Td>
                        <Hash value={owner.key} href={`${href('registry')}?q=${owner.key}`} />
                      </Table.Td>
                      <Table.Td>{formatShare(owner.share)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
            <Card withBorder>
              <Title order={3} size="h4" mb="xs">
                {t('registry.encumbrances')}
              </Title>
              {object.encumbrances.length === 0 ? (
                <Text c="dimmed" data-testid="registry-no-encumbrances">
                  {t('registry.noEncumbrances')}
                </Text>
              ) : (
                <Table aria-label={t('registry.encumbrances')} data-testid="registry-encumbrances">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('registry.encumbranceColumns.kind')}</Table.Th>
                      <Table.Th>{t('registry.encumbranceColumns.holder')}</Table.Th>
                      <Table.Th>{t('registry.encumbranceColumns.reference')}</Table.Th>
                      <Table.Th>{t('registry.encumbranceColumns.since')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {object.encumbrances.map((item) => (
                      <Table.Tr key={item.id}>
                        <Table.Td>{t(`encumbranceKind.${item.kind}`)}</Table.Td>
                        <Table.Td>
                          <Hash value={item.holder} />
                        </Table.Td>
                        <Table.Td>{item.reference}</Table.Td>
                        <Table.Td>{item.sinceHeight}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Card>
          </>
        )}
      </QueryView>
      <Card withBorder data-testid="registry-history">
        <Title order={3} size="h4" mb="sm">
          {t('registry.history')}
        </Title>
        <QueryView query={history} isEmpty={(data) => data.entries.length === 0} empty={t('registry.noHistory')}>
          {(data) => (
            <>
              <Timeline active={data.entries.length - 1} bulletSize={18} lineWidth={2}>
                {data.entries.map((entry) => (
                  <Timeline.Item
                    key={`${entry.height}-${entry.index}`}
                    title={t(`txType.${entry.type}`)}
                    data-testid="history-entry"
                  >
                    <Group gap="sm" wrap="wrap">
                      <Anchor href={href('explorer', 'block', entry.height)} size="sm">
                        {t('app.height', { height: entry.height })}
                      </Anchor>
                      <Hash value={entry.txHash} href={href('explorer', 'tx', entry.txHash)} />
                      <Button
                        size="compact-xs"
                        variant="light"
                        leftSection={<IconReceipt size={14} aria-hidden />}
                        onClick={() => navigate('print', 'receipt', entry.txHash)}
                        data-testid="history-print-receipt"
                      >
                        {t('registry.printReceipt')}
                      </Button>
                    </Group>
                  </Timeline.Item>
                ))}
              </Timeline>
              {data.truncated ? (
                <Text size="sm" c="dimmed">
                  {t('registry.historyTruncated')}
                </Text>
              ) : null}
            </>
          )}
        </QueryView>
      </Card>
    </Stack>
  );
}

export function Registry({ parts, query }: { parts: string[]; query: URLSearchParams }) {
  const { t } = useTranslation();
  const objectId = parts[0];
  const q = query.get('q') ?? '';
  return (
    <Stack data-testid="screen-registry" gap="lg">
      <Title order={1}>{t('registry.title')}</Title>
      {objectId ? <ObjectPage id={objectId} /> : <Search key={q} initial={q} />}
    </Stack>
  );
}
