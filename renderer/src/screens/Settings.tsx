// Settings: identity and keystore, the network switch, language, and the API.
import { Alert, Badge, Button, Card, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notify } from '../notify.js';
import { IconDownload, IconPlugConnected, IconPlugConnectedX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { API_PREFIX } from '../../../shared/api/index.js';
import { ErrorAlert, Hash, Loading } from '../components/common.js';
import { QueryView } from '../components/QueryView.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { useApi, useClient, useConnection, useIdentity, useStatus } from '../data.js';
import { explainError } from '../errors.js';
import { downloadJson } from '../format.js';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={240}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function NetworkSwitch() {
  const { t } = useTranslation();
  const client = useClient();
  const queryClient = useQueryClient();
  const status = useStatus();
  const [confirming, setConfirming] = useState(false);
  const online = status.data?.online ?? true;
  const toggle = useMutation({
    mutationFn: (offline: boolean) => client.call('setNetwork', { body: { offline } }),
    onSuccess: () => {
      notify({ color: 'green', message: t('settings.switched') });
      void queryClient.invalidateQueries();
    },
    onError: (error) => notify({ color: 'red', title: t('errors.title'), message: explainError(t, error).sentence }),
  });
  return (
    <Card withBorder data-testid="settings-network">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('settings.networkTitle')}
        </Title>
        <QueryView query={status} error="none">
          {() => (
            <Alert
              color={online ? 'green' : 'orange'}
              variant="light"
              icon={online ? <IconPlugConnected aria-hidden /> : <IconPlugConnectedX aria-hidden />}
            >
              {online ? t('settings.networkOnline') : t('settings.networkOffline')}
            </Alert>
          )}
        </QueryView>
        <Group>
          <Button
            color={online ? 'orange' : 'green'}
            onClick={() => setConfirming(true)}
            loading={toggle.isPending}
            disabled={!status.data}
            data-testid="settings-network-toggle"
          >
            {online ? t('settings.goOffline') : t('settings.goOnline')}
          </Button>
        </Group>
        {toggle.isError ? <ErrorAlert error={toggle.error} /> : null}
      </Stack>
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={online ? t('settings.confirmOfflineTitle') : t('settings.confirmOnlineTitle')}
        centered
      >
        <Stack>
          <Text>{online ? t('settings.confirmOffline') : t('settings.confirmOnline')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t('app.cancel')}
            </Button>
            <Button
              color={online ? 'orange' : 'green'}
              onClick={() => {
                setConfirming(false);
                toggle.mutate(online);
              }}
              data-testid="settings-network-confirm"
            >
              {online ? t('settings.goOffline') : t('settings.goOnline')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function PeersSettings() {
  const { t } = useTranslation();
  const client = useClient();
  const queryClient = useQueryClient();
  const settings = useApi('settings');
  const [draft, setDraft] = useState('');
  const save = useMutation({
    mutationFn: (bootstrap: string[]) => client.call('setBootstrap', { body: { bootstrap } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['settings'] });
      setDraft('');
      notify({ color: 'green', message: t('settings.peersSaved') });
    },
  });
  const bootstrap = settings.data?.bootstrap ?? [];
  return (
    <Card withBorder data-testid="settings-peers">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('settings.peersTitle')}
        </Title>
        <Text size="sm">{t('settings.peersText')}</Text>
        <QueryView query={settings}>
          {(data) => (
            <>
              <Text size="sm" fw={600}>
                {t('settings.listening')}
              </Text>
              {data.listening.map((address) => (
                <Text key={address} size="xs" className="mono" style={{ wordBreak: 'break-all' }}>
                  {address}
                </Text>
              ))}
              <Text size="sm" fw={600}>
                {t('settings.bootstrap')}
              </Text>
              {bootstrap.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('settings.noBootstrap')}
                </Text>
              ) : null}
              {bootstrap.map((address) => (
                <Group key={address} gap="xs" wrap="nowrap" data-testid="bootstrap-row">
                  <Text size="xs" className="mono" style={{ wordBreak: 'break-all' }}>
                    {address}
                  </Text>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => save.mutate(bootstrap.filter((other) => other !== address))}
                    aria-label={t('settings.removePeer', { address })}
                  >
                    {t('settings.remove')}
                  </Button>
                </Group>
              ))}
              <Group align="flex-end">
                <TextInput
                  label={t('settings.addPeer')}
                  placeholder="/ip4/10.0.0.7/tcp/47000/p2p/12D3KooW…"
                  value={draft}
                  onChange={(event) => setDraft(event.currentTarget.value)}
                  style={{ flex: 1 }}
                  data-testid="settings-peer-input"
                />
                <Button
                  onClick={() => save.mutate([...bootstrap, draft.trim()])}
                  disabled={draft.trim() === ''}
                  loading={save.isPending}
                  data-testid="settings-peer-add"
                >
                  {t('settings.add')}
                </Button>
              </Group>
              {save.isError ? <ErrorAlert error={save.error} /> : null}
            </>
          )}
        </QueryView>
      </Stack>
    </Card>
  );
}

export function Settings() {
  const { t } = useTranslation();
  const identity = useIdentity();
  const status = useStatus();
  const connection = useConnection();
  const client = useClient();
  const openapi = useMutation({
    mutationFn: () => client.call('openapi'),
    onSuccess: (document) => downloadJson('notary-openapi.json', document),
  });
  const backup = useMutation({
    mutationFn: () => client.call('keystoreBackup'),
    onSuccess: (file) => downloadJson('notary-keystore-backup.json', file),
  });
  const keystoreColor = { encrypted: 'green', plain: 'orange', none: 'red' } as const;

  return (
    <Stack data-testid="screen-settings" gap="lg">
      <Title order={1}>{t('settings.title')}</Title>
      <Card withBorder data-testid="settings-identity">
        <Title order={2} size="h4" mb="xs">
          {t('settings.identity')}
        </Title>
        {identity.isPending ? <Loading /> : null}
        {identity.isError ? <ErrorAlert error={identity.error} onRetry={() => void identity.refetch()} /> : null}
        <Table aria-label={t('settings.identity')}>
          <Table.Tbody>
            {identity.data ? (
              <>
                <Row label={t('settings.publicKey')}>
                  {identity.data.publicKey ? <Hash value={identity.data.publicKey} full /> : t('app.none')}
                </Row>
                <Row label={t('settings.role')}>{t(`role.${identity.data.role}`)}</Row>
                <Row label={t('settings.name')}>{identity.data.name ?? '—'}</Row>
                <Row label={t('settings.status')}>
                  {identity.data.status ? t(`authorityStatus.${identity.data.status}`) : '—'}
                </Row>
                <Row label={t('settings.keystore')}>
                  <Badge
                    color={keystoreColor[identity.data.keystore]}
                    variant="light"
                    data-testid="settings-keystore"
                    data-keystore={identity.data.keystore}
                  >
                    {t(`settings.keystoreKind.${identity.data.keystore}`)}
                  </Badge>
                </Row>
                <Row label={t('settings.dataDir')}>
                  <Text className="mono" size="sm" data-testid="settings-data-dir" style={{ wordBreak: 'break-all' }}>
                    {identity.data.dataDir}
                  </Text>
                </Row>
              </>
            ) : null}
            {status.data ? (
              <>
                <Row label={t('settings.node')}>{status.data.nodeName}</Row>
                <Row label={t('settings.chainId')}>{status.data.chainId}</Row>
                <Row label={t('settings.peerId')}>
                  <Hash value={status.data.peerId} />
                </Row>
              </>
            ) : null}
          </Table.Tbody>
        </Table>
        <Alert mt="sm" variant="light" color="blue" title={t('settings.backupTitle')}>
          {t('settings.backup')}
        </Alert>
        {identity.data?.keystore === 'encrypted' ? (
          <Group mt="sm">
            <Button
              variant="light"
              leftSection={<IconDownload size={16} aria-hidden />}
              onClick={() => backup.mutate()}
              loading={backup.isPending}
              data-testid="settings-backup"
            >
              {t('settings.downloadBackup')}
            </Button>
          </Group>
        ) : null}
        {backup.isError ? <ErrorAlert error={backup.error} /> : null}
      </Card>
      <NetworkSwitch />
      <PeersSettings />
      <Card withBorder data-testid="settings-language">
        <Title order={2} size="h4" mb="xs">
          {t('settings.languageTitle')}
        </Title>
        <LanguageSwitch testid="settings-language-select" />
      </Card>
      <Card withBorder data-testid="settings-api">
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('settings.apiTitle')}
          </Title>
          <Text size="sm">{t('settings.apiText')}</Text>
          {connection.kind === 'http' ? (
            <Text size="sm">
              {t('settings.apiAddress')}:{' '}
              <Text span className="mono">
                {connection.baseUrl}
                {API_PREFIX}
              </Text>
            </Text>
          ) : null}
          <Group>
            <Button
              variant="light"
              leftSection={<IconDownload size={16} aria-hidden />}
              onClick={() => openapi.mutate()}
              loading={openapi.isPending}
              data-testid="settings-openapi"
            >
              {t('settings.downloadOpenapi')}
            </Button>
          </Group>
          {openapi.isError ? <ErrorAlert error={openapi.error} /> : null}
        </Stack>
      </Card>
    </Stack>
  );
}
