// Step 1: the registry the page trusts, from its genesis document (a JSON file the person got
// from the registry or a notary): its chain, the validators' keys and the witnesses by name.
import { Alert, Box, FileInput, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { witnessNames } from './verdict.js';
import { useT } from './i18n/index.js';
import type { RegistryActions, RegistryState } from './registry.js';
import { MessageAlert, readJsonFile, type Message } from './ui.js';

/** A genesis document with a registry's initial objects can be large; a trust file is far smaller. */
const GENESIS_BYTES_MAX = 64 * 1024 * 1024;

export function TrustSection({ state, actions }: { state: RegistryState; actions: RegistryActions }) {
  const { t } = useT();
  const [message, setMessage] = useState<Message>();
  const take = async (file: File | null) => {
    setMessage(undefined);
    if (!file) return;
    try {
      const registry = await actions.importGenesis(await readJsonFile(file, GENESIS_BYTES_MAX));
      setMessage({ ok: true, text: t('trust.imported', { chainId: registry.trust.chainId }) });
    } catch (error) {
      setMessage({ ok: false, text: t('trust.bad'), detail: (error as Error).message });
    }
  };
  const trust = state.status === 'ready' ? state.registry.trust : undefined;
  const names = trust ? witnessNames(trust.witnesses) : [];
  return (
    <Stack gap="sm" data-testid="trust">
      <Title order={2} size="h4">
        {t('trust.heading')}
      </Title>
      <Text size="sm">{t('trust.intro')}</Text>
      {trust ? (
        <Box data-testid="trust-current" data-chain={trust.chainId}>
          <Text fw={600}>{t('trust.current', { chainId: trust.chainId })}</Text>
          <Text size="sm">{t('trust.validators', { count: trust.validators.length })}</Text>
          <Text size="sm">
            {names.length > 0 ? t('trust.witnesses', { names: names.join(', ') }) : t('trust.noWitnesses')}
          </Text>
        </Box>
      ) : (
        <Alert color="gray" variant="light">
          {t('trust.none')}
        </Alert>
      )}
      <Box data-testid="trust-file" maw={420}>
        <FileInput
          label={t('trust.fileLabel')}
          placeholder={t('trust.filePlaceholder')}
          accept=".json,application/json"
          onChange={(file) => void take(file)}
        />
      </Box>
      {message ? <MessageAlert message={message} testid="trust-message" /> : null}
    </Stack>
  );
}
