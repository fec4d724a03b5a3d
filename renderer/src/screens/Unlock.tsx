// Desktop only: the node starts once its keystore is unlocked with the passphrase (window.notary.unlock).
import { Alert, Button, Container, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiCallError, type NotaryBridge } from '../../../shared/api/index.js';
import { ErrorAlert } from '../components/common.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';

export function Unlock({ bridge }: { bridge: NotaryBridge }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await bridge.unlock(passphrase);
      if (result.ok) {
        setPassphrase('');
        await queryClient.invalidateQueries();
      } else setError(new ApiCallError(0, result.code, result.message));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container size="xs" py={80} component="main" data-testid="screen-unlock">
      <Paper withBorder p="xl">
        <form onSubmit={(event) => void submit(event)}>
          <Stack>
            <Title order={1} size="h2">
              {t('unlock.title')}
            </Title>
            <Alert color="indigo" variant="light" icon={<IconLock aria-hidden />}>
              {t('unlock.body')}
            </Alert>
            <PasswordInput
              label={t('unlock.passphrase')}
              value={passphrase}
              onChange={(event) => setPassphrase(event.currentTarget.value)}
              autoFocus
              autoComplete="current-password"
              maxLength={1024}
              data-testid="unlock-passphrase"
            />
            {error ? <ErrorAlert error={error} /> : null}
            <Button type="submit" loading={busy} disabled={passphrase.length === 0} data-testid="unlock-submit">
              {t('unlock.submit')}
            </Button>
            {busy ? (
              <Text size="sm" c="dimmed" role="status">
                {t('unlock.starting')}
              </Text>
            ) : null}
            <LanguageSwitch testid="unlock-language" />
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
