// The ballot board: every accepted ballot in cast order, a page at a time, searchable by the
// first characters of a tracker; a ballot its credential replaced later is marked.
import { Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { getBallots } from './api.js';
import { useT } from './i18n/index.js';
import { ErrorAlert, Loading } from './ui.js';

const PAGE_SIZE = 20;
const PREFIX = /^[0-9a-f]{4,64}$/;

export function Board({ election, highlight }: { election: string; highlight?: string }) {
  const { t } = useT();
  // a link to one's ballot searches by its first 16 characters (what a voter notes down) and marks it
  const [typed, setTyped] = useState(highlight?.slice(0, 16) ?? '');
  const prefix = typed.trim().toLowerCase();
  const searching = prefix.length > 0;
  const valid = !searching || PREFIX.test(prefix);
  // cursors of the pages before this one, so "first page" and "next page" need no offsets
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const query = valid && searching ? prefix : undefined;
  const page = useQuery({
    queryKey: ['ballots', election, query ?? '', after],
    queryFn: () => getBallots(election, { tracker: query, after, limit: PAGE_SIZE }),
    enabled: valid,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const offset = cursors.length * PAGE_SIZE;
  const rows = page.data?.ballots ?? [];
  return (
    <Stack gap="sm" data-testid="board">
      <Title order={2} size="h4">
        {t('board.heading')}
      </Title>
      <Text size="sm">{t('board.intro')}</Text>
      <TextInput
        label={t('board.search')}
        description={t('board.searchHint')}
        value={typed}
        onChange={(event) => {
          setTyped(event.currentTarget.value);
          setCursors([]);
        }}
        error={valid ? undefined : t('board.searchBad')}
        maxLength={64}
        spellCheck={false}
        autoComplete="off"
        className="mono"
        data-testid="board-search"
      />
      {page.isPending && valid ? <Loading /> : null}
      {page.error ? <ErrorAlert error={page.error} onRetry={() => void page.refetch()} /> : null}
      {page.data && valid ? (
        <>
          <Text size="sm" aria-live="polite" data-testid="board-total">
            {t('board.total', { count: page.data.total })}
          </Text>
          {rows.length === 0 ? (
            <Text size="sm">{t('board.none')}</Text>
          ) : (
            <Table className="fit-table" striped data-testid="board-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th style={{ width: '3.5em' }}>{t('board.position')}</Table.Th>
                  <Table.Th>{t('board.tracker')}</Table.Th>
                  <Table.Th style={{ width: '4.5em' }}>{t('board.block')}</Table.Th>
                  <Table.Th style={{ width: '30%' }}>{t('board.state')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((ballot, k) => (
                  <Table.Tr
                    key={`${ballot.tracker}-${ballot.height}`}
                    data-testid="board-row"
                    data-tracker={ballot.tracker}
                    data-replaced={ballot.replaced}
                  >
                    <Table.Td>{searching ? '' : offset + k + 1}</Table.Td>
                    <Table.Td>
                      <Text span className="mono break" size="xs">
                        {ballot.tracker}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t('board.district')}: {ballot.district}
                      </Text>
                    </Table.Td>
                    <Table.Td>{ballot.height}</Table.Td>
                    <Table.Td>
                      {ballot.replaced ? (
                        <Badge color="gray" variant="light" size="sm" style={{ whiteSpace: 'normal', height: 'auto' }}>
                          {t('board.replaced')}
                        </Badge>
                      ) : (
                        <Badge color="green" variant="light" size="sm">
                          {t('board.counts')}
                        </Badge>
                      )}
                      {highlight && ballot.tracker === highlight ? (
                        <Badge color="indigo" variant="light" size="sm" ml={4}>
                          {t('board.yours')}
                        </Badge>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Group>
            {cursors.length > 0 ? (
              <Button variant="light" size="xs" onClick={() => setCursors([])}>
                {t('board.first')}
              </Button>
            ) : null}
            {page.data.next ? (
              <Button
                variant="light"
                size="xs"
                onClick={() => setCursors((list) => [...list, page.data.next!])}
                data-testid="board-next"
              >
                {t('board.more')}
              </Button>
            ) : null}
          </Group>
        </>
      ) : null}
    </Stack>
  );
}
