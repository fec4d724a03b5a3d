// Checkpoints (issue 18): the checkpoints this node made, newest first, and one of them in full
// (`#/checkpoints/<height>`, else the newest): its file for a bank or a court to keep, its bundle
// for the verification page, and its published form for a newspaper or a website.
import { Alert, Badge, Button, Card, Code, CopyButton, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconCheck, IconCopy, IconDownload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckpointSummary } from '../../../shared/api/index.js';
import { verifyCheckpoint, type CheckpointFile } from '../../../shared/checkpoint/checkpoint.js';
import { ErrorAlert, Hash } from '../components/common.js';
import { QueryView } from '../components/QueryView.js';
import { useApi, useClient } from '../data.js';
import { downloadJson, formatNumber, formatShortTime } from '../format.js';
import type { ScreenProps } from '../modules/types.js';
import { href } from '../router.js';
import { publishedForm, utcTime } from './checkpoints/published.js';

/** A node makes one a day by default: a year of them is more than anyone scrolls. */
const LISTED_MAX = 100;
/** How often a checkpoint still gathering signatures is asked for again. */
const GATHERING_REFRESH_MS = 5_000;

const safeName = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');

function ProofsBadge({ proofs }: { proofs: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge color={proofs ? 'green' : 'gray'} variant="light" className="badge-whole">
      {proofs ? t('checkpoints.proofsYes') : t('checkpoints.proofsNo')}
    </Badge>
  );
}

function CheckpointList({ list, selected }: { list: CheckpointSummary[]; selected: number | undefined }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="table-wrap">
        <Table highlightOnHover aria-label={t('checkpoints.listTitle')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('checkpoints.columns.height')}</Table.Th>
              <Table.Th>{t('checkpoints.columns.time')}</Table.Th>
              <Table.Th>{t('checkpoints.columns.statements')}</Table.Th>
              <Table.Th>{t('checkpoints.columns.validators')}</Table.Th>
              <Table.Th>{t('checkpoints.columns.witnesses')}</Table.Th>
              <Table.Th>{t('checkpoints.columns.proofs')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.slice(0, LISTED_MAX).map((entry) => (
              <Table.Tr
                key={entry.height}
                data-testid="checkpoint-row"
                data-height={entry.height}
                data-proofs={String(entry.proofs)}
                aria-current={entry.height === selected ? 'true' : undefined}
              >
                <Table.Td>
                  <a href={href('checkpoints', entry.height)}>{entry.height}</a>
                </Table.Td>
                <Table.Td className="nowrap">{formatShortTime(entry.timeMs)}</Table.Td>
                <Table.Td>{formatNumber(entry.statements)}</Table.Td>
                <Table.Td data-testid="checkpoint-signed">
                  {t('checkpoints.signedBy', { signed: entry.validatorsSigned, total: entry.validatorsTotal })}
                </Table.Td>
                <Table.Td data-testid="checkpoint-witnesses">{entry.witnesses}</Table.Td>
                <Table.Td className="nowrap">
                  <ProofsBadge proofs={entry.proofs} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      {list.length > LISTED_MAX ? (
        <Text size="sm" c="dimmed" mt="xs">
          {t('checkpoints.truncated', { count: LISTED_MAX })}
        </Text>
      ) : null}
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={260}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function CheckpointDocument({ file, summary }: { file: CheckpointFile; summary: CheckpointSummary | undefined }) {
  const { t } = useTranslation();
  const client = useClient();
  const { body } = file;
  // only the node's own signatures' arithmetic: a verifier checks them against keys it trusts
  const checked = useMemo(() => verifyCheckpoint(file), [file]);
  const bundle = useMutation({
    mutationFn: () => client.call('checkpointBundle', { params: { height: body.height } }),
    onSuccess: (document) => downloadJson(`checkpoint-bundle-${safeName(body.chainId)}-h${body.height}.json`, document),
  });
  if (!checked.ok)
    return (
      <Alert color="red" variant="light" role="alert" data-testid="checkpoint-invalid">
        {t('checkpoints.invalid', { reason: checked.reason })}
      </Alert>
    );
  const text = publishedForm(t, {
    id: checked.id,
    body,
    validatorsSigned: checked.validatorsSigned,
    validatorsTotal: checked.validatorsTotal,
  });
  return (
    <Stack gap="md">
      <Table aria-label={t('checkpoints.detailTitle', { height: body.height })}>
        <Table.Tbody>
          <Row label={t('checkpoints.fields.chainId')}>{body.chainId}</Row>
          <Row label={t('checkpoints.fields.height')}>
            <a href={href('explorer', 'block', body.height)}>{body.height}</a>
          </Row>
          <Row label={t('checkpoints.fields.time')}>{utcTime(body.timeMs)}</Row>
          <Row label={t('checkpoints.fields.blockHash')}>
            <Hash value={body.blockHash} />
          </Row>
          <Row label={t('checkpoints.fields.statementRoot')}>
            <Hash value={body.statementRoot} />
          </Row>
          <Row label={t('checkpoints.fields.id')}>
            <Hash value={checked.id} />
          </Row>
          <Row label={t('checkpoints.fields.statements')}>{formatNumber(body.statements)}</Row>
          <Row label={t('checkpoints.fields.validators')}>
            {t('checkpoints.signedBy', { signed: checked.validatorsSigned, total: checked.validatorsTotal })}
          </Row>
          <Row label={t('checkpoints.fields.witnesses')}>{file.witnesses.length}</Row>
          {summary ? (
            <Row label={t('checkpoints.fields.proofs')}>
              <Group gap="xs" wrap="nowrap">
                <ProofsBadge proofs={summary.proofs} />
                <Text size="sm">{summary.proofs ? t('checkpoints.proofsYesText') : t('checkpoints.proofsNoText')}</Text>
              </Group>
            </Row>
          ) : null}
        </Table.Tbody>
      </Table>
      {checked.validatorsSigned < checked.validatorsTotal ? (
        <Text size="sm" c="dimmed" data-testid="checkpoint-gathering">
          {t('checkpoints.gathering')}
        </Text>
      ) : null}
      <Text size="sm">{t('checkpoints.filesText')}</Text>
      <Group gap="sm">
        <Button
          variant="light"
          leftSection={<IconDownload size={16} aria-hidden />}
          onClick={() => downloadJson(`checkpoint-${safeName(body.chainId)}-h${body.height}.json`, file)}
          data-testid="checkpoint-download-file"
        >
          {t('checkpoints.downloadFile')}
        </Button>
        <Button
          variant="light"
          leftSection={<IconDownload size={16} aria-hidden />}
          onClick={() => bundle.mutate()}
          // not Mantine's `loading`: its label fades back in after the download, under axe's eyes
          disabled={bundle.isPending}
          data-testid="checkpoint-download-bundle"
        >
          {t('checkpoints.downloadBundle')}
        </Button>
      </Group>
      {bundle.isError ? <ErrorAlert error={bundle.error} /> : null}
      <Stack gap="xs">
        <Title order={3} size="h5">
          {t('checkpoints.publishedTitle')}
        </Title>
        <Text size="sm">{t('checkpoints.publishedText')}</Text>
        <Code block data-testid="checkpoint-published" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {text}
        </Code>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button
              variant="default"
              size="xs"
              w="fit-content"
              leftSection={copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
              onClick={copy}
              data-testid="checkpoint-copy-published"
            >
              {copied ? t('app.copied') : t('checkpoints.copyPublished')}
            </Button>
          )}
        </CopyButton>
      </Stack>
    </Stack>
  );
}

function CheckpointDetail({ height, summary }: { height: number; summary: CheckpointSummary | undefined }) {
  const { t } = useTranslation();
  // a new checkpoint gathers the other validators' and the witnesses' signatures for a while
  const file = useApi(
    'checkpoint',
    { params: { height } },
    {
      refetchInterval: (query) => {
        const data = query.state.data;
        return data && data.signatures.length < data.validators.length ? GATHERING_REFRESH_MS : false;
      },
    },
  );
  return (
    <Card withBorder data-testid="checkpoint-detail" data-height={height}>
      <Title order={2} size="h4" mb="xs">
        {t('checkpoints.detailTitle', { height })}
      </Title>
      <QueryView query={file}>{(data) => <CheckpointDocument file={data} summary={summary} />}</QueryView>
    </Card>
  );
}

export function Checkpoints({ parts }: ScreenProps) {
  const { t } = useTranslation();
  const list = useApi('checkpoints', undefined, { refetchInterval: 15_000 });
  const [part] = parts;
  const requested = part !== undefined && /^\d{1,15}$/.test(part) ? Number(part) : undefined;
  const height = requested ?? list.data?.[0]?.height;
  return (
    <Stack data-testid="screen-checkpoints" gap="lg">
      <Title order={1}>{t('checkpoints.title')}</Title>
      <Text>{t('checkpoints.intro')}</Text>
      <Card withBorder data-testid="checkpoints-list">
        <Title order={2} size="h4" mb="xs">
          {t('checkpoints.listTitle')}
        </Title>
        <QueryView query={list} empty={t('checkpoints.none')}>
          {(data) => <CheckpointList list={data} selected={height} />}
        </QueryView>
      </Card>
      {height !== undefined ? (
        <CheckpointDetail key={height} height={height} summary={list.data?.find((entry) => entry.height === height)} />
      ) : null}
    </Stack>
  );
}
