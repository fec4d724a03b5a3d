// A verdict in plain words: who owns what, with what encumbrances, as of which block and date,
// confirmed by how many validators and which witnesses; or exactly why it is not confirmed.
import { Alert, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { translateCode, useT, type VerifyKey, type VerifyT } from './i18n/index.js';
import { Copyable, formatTime } from './ui.js';
import { shareFraction, shortKey, squareMetres, witnessNames, type Holding, type Verdict } from './verdict.js';

function Owners({ holding }: { holding: Holding }) {
  const { t } = useT();
  if (!holding.owners)
    return (
      <Text size="sm" data-testid="result-owners-hash">
        {t('result.ownersHashOnly', { count: holding.ownersCount })}
      </Text>
    );
  return (
    <Table className="fit-table" data-testid="result-owners">
      <Table.Caption>{t('result.owners')}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('result.owner')}</Table.Th>
          <Table.Th style={{ width: '6.5em' }}>{t('result.share')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {holding.owners.map((owner) => (
          <Table.Tr key={owner.key} data-testid="result-owner" data-key={owner.key}>
            <Table.Td>
              <Text span className="mono" size="sm" title={owner.key}>
                {shortKey(owner.key)}
              </Text>
              <details>
                <summary>
                  <Text span size="xs">
                    {t('result.fullKey')}
                  </Text>
                </summary>
                <Copyable value={owner.key} label={t('result.fullKey')} size="xs" />
              </details>
            </Table.Td>
            <Table.Td data-testid="result-share">
              {owner.share[0] === owner.share[1] ? t('result.whole') : shareFraction(owner.share)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function HoldingView({ holding, language }: { holding: Holding; language: string }) {
  const { t } = useT();
  const area = new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(squareMetres(holding.areaDm2));
  return (
    <Stack gap={6}>
      <Text fw={700} data-testid="result-object" data-id={holding.id}>
        {t('result.object', { id: holding.id })}
      </Text>
      <Text size="sm">
        {t('result.kind')}: {translateCode(t, 'result.kinds', holding.kind) ?? holding.kind} · {t('result.area')}:{' '}
        <span data-testid="result-area">{t('result.areaValue', { area })}</span>
      </Text>
      {holding.address ? (
        <Text size="sm">
          {t('result.address')}: {holding.address}
        </Text>
      ) : null}
      <Owners holding={holding} />
      <Text size="sm" data-testid="result-encumbrances">
        {holding.mortgages === 0 && holding.arrests === 0
          ? t('result.free')
          : t('result.encumbrances', { mortgages: holding.mortgages, arrests: holding.arrests })}
      </Text>
      <Text size="xs" c="dimmed">
        {t('result.version')}: {holding.version}
      </Text>
    </Stack>
  );
}

function failureSentence(t: VerifyT, verdict: Extract<Verdict, { ok: false }>): string {
  return t(`result.reasons.${verdict.code}` as VerifyKey, {
    chainId: verdict.chainId ?? '',
    height: verdict.height ?? '',
  });
}

export function ResultView({ verdict }: { verdict: Verdict }) {
  const { t, language } = useT();
  if (!verdict.ok)
    return (
      <Alert
        color="red"
        variant="light"
        role="alert"
        title={t('result.failed')}
        icon={<IconAlertTriangle aria-hidden />}
        data-testid="result"
        data-ok="false"
        data-code={verdict.code}
      >
        <Stack gap={4}>
          <Text size="sm" data-testid="result-reason">
            {failureSentence(t, verdict)}
          </Text>
          <Text size="xs" c="dimmed" className="break">
            {t('result.detail', { reason: verdict.reason })}
          </Text>
        </Stack>
      </Alert>
    );
  const date = formatTime(verdict.timeMs, language);
  const names = witnessNames(verdict.witnesses);
  return (
    <Alert
      color="green"
      variant="light"
      role="status"
      title={t('result.passed')}
      icon={<IconCircleCheck aria-hidden />}
      data-testid="result"
      data-ok="true"
      data-source={verdict.source}
    >
      <Stack gap="sm">
        {verdict.holding ? <HoldingView holding={verdict.holding} language={language} /> : null}
        {verdict.transaction ? (
          <Stack gap={2}>
            <Text size="sm">
              {t('result.receipt', { type: verdict.transaction.type, height: verdict.height, date })}
            </Text>
            <Text size="xs">{t('result.transaction')}:</Text>
            <Copyable value={verdict.transaction.hash} label={t('result.transaction')} size="xs" />
          </Stack>
        ) : null}
        <Stack gap={2}>
          <Text size="sm" data-testid="result-as-of" data-height={verdict.height}>
            {t('result.asOf', { height: verdict.height, date })}
          </Text>
          <Text size="sm" data-testid="result-validators">
            {t('result.validators', { signed: verdict.validatorsSigned, total: verdict.validatorsTotal })}
          </Text>
          {verdict.source === 'compact' ? (
            <Text size="sm" data-testid="result-witnesses">
              {names.length > 0 ? t('result.witnesses', { names: names.join(', ') }) : t('result.noWitnesses')}
            </Text>
          ) : null}
          <Text size="xs" c="dimmed">
            {t('result.registry', { chainId: verdict.chainId })}{' '}
            {verdict.source === 'compact' ? t('result.fromQr', { height: verdict.height }) : t('result.fromFile')}
          </Text>
          {verdict.holding ? (
            <Text size="xs" c="dimmed">
              {t('result.newer')}
            </Text>
          ) : null}
        </Stack>
      </Stack>
    </Alert>
  );
}
