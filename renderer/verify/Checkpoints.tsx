// Step 2: the checkpoints the page holds. Imported from a bundle file or fetched from a node the
// person names; each is checked (validators, witnesses, layer) before it is kept. Listed with
// its block, date, validators and witnesses by name; any one can be removed.
import { Alert, Box, Button, FileInput, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { CheckpointSummary } from '../../shared/api/contract.js';
import { translateCode, useT, type VerifyT } from './i18n/index.js';
import type { RegistryActions, RegistryState } from './registry.js';
import { fetchBundle, listCheckpoints, nodeBase } from './remote.js';
import { Loading, MessageAlert, formatTime, nextPaint, readJsonFile, type Message } from './ui.js';
import { witnessNames } from './verdict.js';

/** A bundle's layer is at most 2 MiB of hashes, base64 in JSON, with its file. */
const BUNDLE_BYTES_MAX = 4 * 1024 * 1024;

function problem(t: VerifyT, error: unknown): Message {
  const code = (error as { code?: string })?.code;
  const text =
    translateCode(t, 'checkpoints.errors', code) ??
    (error instanceof SyntaxError ? t('checkpoints.errors.NOT_A_BUNDLE') : t('checkpoints.errors.UNEXPECTED'));
  return { ok: false, text, detail: (error as Error)?.message };
}

/** The address the page came from, when it is a node's (its gateway serves both). */
function ownOrigin(): string {
  return window.location.protocol === 'http:' || window.location.protocol === 'https:' ? window.location.origin : '';
}

export function CheckpointsSection({ state, actions }: { state: RegistryState; actions: RegistryActions }) {
  const { t, language } = useT();
  const [message, setMessage] = useState<Message>();
  const [typed, setTyped] = useState(ownOrigin);
  const [available, setAvailable] = useState<{ base: string; list: CheckpointSummary[] }>();
  const [busy, setBusy] = useState<string>();

  if (state.status !== 'ready')
    return (
      <Stack gap="sm" data-testid="checkpoints">
        <Title order={2} size="h4">
          {t('checkpoints.heading')}
        </Title>
        <Alert color="gray" variant="light">
          {t('checkpoints.needTrust')}
        </Alert>
      </Stack>
    );
  const { registry } = state;
  const heldHeights = new Set(registry.held.map((entry) => entry.height));

  const take = async (bundle: unknown) => {
    const { held, added } = await actions.importBundle(bundle);
    setMessage({ ok: true, text: t(added ? 'checkpoints.added' : 'checkpoints.already', { height: held.height }) });
  };
  const fromFile = async (file: File | null) => {
    setMessage(undefined);
    if (!file) return;
    setBusy('file');
    try {
      await nextPaint();
      await take(await readJsonFile(file, BUNDLE_BYTES_MAX));
    } catch (error) {
      setMessage(problem(t, error));
    } finally {
      setBusy(undefined);
    }
  };
  const find = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    setAvailable(undefined);
    setBusy('list');
    try {
      const base = nodeBase(typed);
      setAvailable({ base, list: await listCheckpoints(base) });
    } catch (error) {
      setMessage(problem(t, error));
    } finally {
      setBusy(undefined);
    }
  };
  const fromNode = async (base: string, height: number) => {
    setMessage(undefined);
    setBusy(`node-${height}`);
    try {
      await take(await fetchBundle(base, height));
    } catch (error) {
      setMessage(problem(t, error));
    } finally {
      setBusy(undefined);
    }
  };
  const remove = async (key: string) => {
    setMessage(undefined);
    try {
      await actions.remove(key);
    } catch (error) {
      setMessage(problem(t, error));
    }
  };

  return (
    <Stack gap="md" data-testid="checkpoints">
      <Title order={2} size="h4">
        {t('checkpoints.heading')}
      </Title>
      <Text size="sm">{t('checkpoints.intro')}</Text>

      <Stack gap="xs">
        <Title order={3} size="h5">
          {t('checkpoints.held')}
        </Title>
        {registry.held.length === 0 ? (
          <Text size="sm" data-testid="held-none">
            {t('checkpoints.noneHeld')}
          </Text>
        ) : (
          <Table className="fit-table" striped data-testid="held-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th style={{ width: '4.5em' }}>{t('checkpoints.height')}</Table.Th>
                <Table.Th>{t('checkpoints.date')}</Table.Th>
                <Table.Th style={{ width: '5.5em' }}>{t('checkpoints.signed')}</Table.Th>
                <Table.Th>{t('checkpoints.witnesses')}</Table.Th>
                <Table.Th style={{ width: '6.5em' }}>
                  <span className="visually-hidden">{t('checkpoints.remove')}</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {registry.held.map((entry) => (
                <Table.Tr key={entry.key} data-testid="held-row" data-height={entry.height}>
                  <Table.Td>{entry.height}</Table.Td>
                  <Table.Td>{formatTime(entry.timeMs, language)}</Table.Td>
                  <Table.Td>
                    {t('checkpoints.signedOf', { signed: entry.validatorsSigned, total: entry.validatorsTotal })}
                  </Table.Td>
                  <Table.Td data-testid="held-witnesses">{witnessNames(entry.witnesses).join(', ') || '—'}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      aria-label={t('checkpoints.removeLabel', { height: entry.height })}
                      onClick={() => void remove(entry.key)}
                      data-testid="held-remove"
                    >
                      {t('checkpoints.remove')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {registry.refused.length > 0 ? (
          <Alert color="orange" variant="light" title={t('checkpoints.refused')} data-testid="refused">
            <Text size="sm">{t('checkpoints.refusedHint')}</Text>
            {registry.refused.map((entry) => (
              <Group key={entry.key} gap="xs" wrap="nowrap" mt={4}>
                <Text size="xs" className="break">
                  {entry.key}: {translateCode(t, 'checkpoints.errors', entry.code) ?? entry.reason}
                </Text>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => void remove(entry.key)}>
                  {t('checkpoints.remove')}
                </Button>
              </Group>
            ))}
          </Alert>
        ) : null}
      </Stack>

      {message ? <MessageAlert message={message} testid="checkpoints-message" /> : null}

      <Box data-testid="bundle-file" maw={420}>
        <FileInput
          label={t('checkpoints.fileLabel')}
          placeholder={t('checkpoints.filePlaceholder')}
          accept=".json,application/json"
          onChange={(file) => void fromFile(file)}
          disabled={busy !== undefined}
        />
      </Box>
      {busy === 'file' ? <Loading label={t('checkpoints.importing')} /> : null}

      <form onSubmit={(event) => void find(event)}>
        <Group align="flex-end" gap="xs">
          <TextInput
            label={t('checkpoints.nodeLabel')}
            description={t('checkpoints.nodeHint')}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            w={420}
            maw="100%"
            data-testid="node-url"
          />
          <Button type="submit" variant="light" disabled={busy !== undefined} data-testid="node-find">
            {t('checkpoints.find')}
          </Button>
        </Group>
      </form>
      {busy === 'list' ? <Loading /> : null}
      {available ? (
        <Stack gap="xs" data-testid="available">
          <Text size="sm" fw={600} className="break">
            {t('checkpoints.available', { node: available.base.replace(/\/api\/v1$/, '') })}
          </Text>
          {available.list.length === 0 ? (
            <Text size="sm">{t('checkpoints.noneAvailable')}</Text>
          ) : (
            <Table className="fit-table" data-testid="available-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th style={{ width: '4.5em' }}>{t('checkpoints.height')}</Table.Th>
                  <Table.Th>{t('checkpoints.date')}</Table.Th>
                  <Table.Th style={{ width: '5.5em' }}>{t('checkpoints.signed')}</Table.Th>
                  <Table.Th style={{ width: '8em' }}>
                    <span className="visually-hidden">{t('checkpoints.import')}</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {available.list.map((entry) => (
                  <Table.Tr key={entry.height} data-testid="available-row" data-height={entry.height}>
                    <Table.Td>{entry.height}</Table.Td>
                    <Table.Td>{formatTime(entry.timeMs, language)}</Table.Td>
                    <Table.Td>
                      {t('checkpoints.signedOf', { signed: entry.validatorsSigned, total: entry.validatorsTotal })}
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="light"
                        disabled={busy !== undefined || heldHeights.has(entry.height)}
                        loading={busy === `node-${entry.height}`}
                        onClick={() => void fromNode(available.base, entry.height)}
                        data-testid="available-import"
                      >
                        {t('checkpoints.import')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      ) : null}
    </Stack>
  );
}
