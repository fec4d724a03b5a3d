// Governance (registrars): the current authorities, and an authority change built as unsigned
// JSON to co-sign with `notary tx sign`, then submitted from the signed file.
import {
  Alert,
  Button,
  Card,
  FileInput,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconDownload, IconFileUpload, IconInfoCircle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { transaction } from '../../../../shared/ledger/schema.js';
import { AuthorityColumns, AuthorityRow } from '../../components/AuthorityRow.js';
import { ErrorAlert, Hash } from '../../components/common.js';
import { QueryView } from '../../components/QueryView.js';
import { useApi, useClient, useIdentity, useStatus } from '../../data.js';
import { downloadJson } from '../../format.js';
import { TxProgress } from '../../components/TxProgress.js';
import { readJsonFile } from '../../files.js';

type Action = 'add' | 'update' | 'revoke';
const KEY = /^[0-9a-f]{64}$/;
const DAY_MS = 24 * 3600 * 1000;

function randomNonce(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return ((words[0] ?? 0) & 0x1f_ffff) * 2 ** 32 + (words[1] ?? 0);
}

function ProposeForm({ chainId }: { chainId: string }) {
  const { t } = useTranslation();
  const [action, setAction] = useState<Action>('add');
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('notary');
  const [status, setStatus] = useState<string>('');
  const [peerId, setPeerId] = useState('');
  const [version, setVersion] = useState<number | string>(1);
  const [reason, setReason] = useState('');
  const [days, setDays] = useState<number | string>(7);
  const [problem, setProblem] = useState<string | null>(null);
  const [built, setBuilt] = useState(false);

  const keyOk = KEY.test(key.trim());
  const roles = (['registrar', 'notary', 'observer'] as const).map((value) => ({ value, label: t(`role.${value}`) }));

  const build = () => {
    setProblem(null);
    const trimmedKey = key.trim();
    let payload: unknown;
    if (action === 'add') {
      payload = {
        authority: { key: trimmedKey, role, name: name.trim(), ...(peerId.trim() ? { peerId: peerId.trim() } : {}) },
      };
    } else if (action === 'update') {
      const changes: Record<string, string> = {};
      if (name.trim()) changes.name = name.trim();
      if (role) changes.role = role;
      if (status) changes.status = status;
      if (peerId.trim()) changes.peerId = peerId.trim();
      payload = { key: trimmedKey, version: Number(version), changes };
    } else {
      payload = { key: trimmedKey, version: Number(version), reason: reason.trim() };
    }
    const lifetimeDays = Math.min(30, Math.max(1, Number(days) || 7));
    const tx = {
      type: `authority.${action}`,
      chainId,
      expiresAtMs: Date.now() + lifetimeDays * DAY_MS,
      nonce: randomNonce(),
      signatures: [],
      payload,
    };
    const checked = transaction.safeParse(tx);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      setProblem(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
      return;
    }
    downloadJson(`authority-${action}-${trimmedKey.slice(0, 12)}.unsigned.json`, checked.data);
    setBuilt(true);
  };

  return (
    <Card withBorder data-testid="governance-propose">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('governance.propose')}
        </Title>
        <div>
          <Text size="sm" fw={500} mb={4} id="governance-action-label">
            {t('governance.action')}
          </Text>
          <SegmentedControl
            aria-labelledby="governance-action-label"
            value={action}
            onChange={(value) => {
              setAction(value as Action);
              setRole(value === 'add' ? 'notary' : '');
              setBuilt(false);
            }}
            data={(['add', 'update', 'revoke'] as const).map((value) => ({
              value,
              label: t(`governance.actions.${value}`),
            }))}
            data-testid="governance-action"
          />
        </div>
        <TextInput
          label={t('governance.key')}
          required
          value={key}
          onChange={(event) => setKey(event.currentTarget.value)}
          error={key && !keyOk ? t('governance.keyInvalid') : undefined}
          classNames={{ input: 'mono' }}
          maxLength={64}
        />
        {action !== 'revoke' ? (
          <Grid>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <TextInput
                label={t('governance.name')}
                required={action === 'add'}
                value={name}
                onChange={(event) => setName(event.currentTarget.value)}
                maxLength={128}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Select
                label={t('governance.role')}
                data={action === 'update' ? [{ value: '', label: t('governance.noChange') }, ...roles] : roles}
                value={role}
                onChange={(value) => setRole(value ?? '')}
                allowDeselect={false}
              />
            </Grid.Col>
            {action === 'update' ? (
              <Grid.Col span={{ base: 12, md: 6 }}>
                <Select
                  label={t('governance.status')}
                  data={[
                    { value: '', label: t('governance.noChange') },
                    { value: 'active', label: t('authorityStatus.active') },
                    { value: 'suspended', label: t('authorityStatus.suspended') },
                  ]}
                  value={status}
                  onChange={(value) => setStatus(value ?? '')}
                  allowDeselect={false}
                />
              </Grid.Col>
            ) : null}
            <Grid.Col span={{ base: 12, md: 6 }}>
              <TextInput
                label={t('governance.peerId')}
                value={peerId}
                onChange={(event) => setPeerId(event.currentTarget.value)}
                classNames={{ input: 'mono' }}
                maxLength={128}
              />
            </Grid.Col>
          </Grid>
        ) : null}
        {action !== 'add' ? (
          <NumberInput
            label={t('governance.version')}
            value={version}
            onChange={setVersion}
            min={0}
            allowDecimal={false}
            w={260}
            required
          />
        ) : null}
        {action === 'revoke' ? (
          <Textarea
            label={t('governance.reason')}
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            maxLength={256}
            required
            autosize
            minRows={2}
          />
        ) : null}
        <NumberInput
          label={t('governance.expiresDays')}
          value={days}
          onChange={setDays}
          min={1}
          max={30}
          allowDecimal={false}
          w={260}
        />
        {problem ? (
          <Alert color="red" role="alert">
            {t('reject.MALFORMED')} {problem}
          </Alert>
        ) : null}
        <Group>
          <Button
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={build}
            disabled={!keyOk}
            data-testid="governance-build"
          >
            {t('governance.build')}
          </Button>
        </Group>
        <Alert color={built ? 'green' : 'blue'} variant="light" icon={<IconInfoCircle aria-hidden />}>
          {t('governance.nextSteps')}
        </Alert>
      </Stack>
    </Card>
  );
}

function SubmitSigned({ registrar }: { registrar: boolean }) {
  const { t } = useTranslation();
  const client = useClient();
  const [file, setFile] = useState<File | null>(null);
  const [current, setCurrent] = useState<unknown>(null);
  const load = async (chosen: File | null) => {
    setFile(chosen);
    setCurrent(chosen ? await readJsonFile(chosen) : null);
    cosign.reset();
    submit.reset();
  };
  const cosign = useMutation({
    mutationFn: () => client.call('cosign', { body: current as never }),
    onSuccess: (result) => setCurrent(result.tx),
  });
  const submit = useMutation({
    mutationFn: async () => client.call('submit', { body: current as never }),
  });
  return (
    <Card withBorder data-testid="governance-submit">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('governance.submitTitle')}
        </Title>
        <Text size="sm">{t('governance.submitText')}</Text>
        <FileInput
          label={t('governance.submitFile')}
          accept="application/json,.json"
          value={file}
          onChange={(chosen) => void load(chosen)}
          leftSection={<IconFileUpload size={16} aria-hidden />}
          clearable
          w={360}
          data-testid="governance-file"
        />
        <Group>
          {registrar ? (
            <Button
              variant="light"
              onClick={() => cosign.mutate()}
              disabled={current === null}
              loading={cosign.isPending}
              data-testid="governance-cosign"
            >
              {t('governance.cosign')}
            </Button>
          ) : null}
          <Button
            onClick={() => submit.mutate()}
            disabled={current === null}
            loading={submit.isPending}
            data-testid="governance-submit-button"
          >
            {t('governance.submit')}
          </Button>
        </Group>
        {cosign.isError ? <ErrorAlert error={cosign.error} /> : null}
        {cosign.data ? (
          <Alert
            color={cosign.data.signatures >= cosign.data.needed ? 'green' : 'blue'}
            variant="light"
            data-testid="governance-cosigned"
            data-signatures={cosign.data.signatures}
            data-needed={cosign.data.needed}
          >
            <Stack gap="xs">
              <Text size="sm">
                {cosign.data.signatures >= cosign.data.needed
                  ? t('governance.quorumReached', { signatures: cosign.data.signatures, needed: cosign.data.needed })
                  : t('governance.quorumMissing', { signatures: cosign.data.signatures, needed: cosign.data.needed })}
              </Text>
              <Group>
                <Button
                  size="xs"
                  variant="default"
                  leftSection={<IconDownload size={14} aria-hidden />}
                  onClick={() => downloadJson(`authority-change.${cosign.data.signatures}-signed.json`, cosign.data.tx)}
                  data-testid="governance-download-signed"
                >
                  {t('governance.downloadSigned')}
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : null}
        {submit.isError ? <ErrorAlert error={submit.error} /> : null}
        {submit.data ? <TxProgress txHash={submit.data.txHash} initial={submit.data.status} /> : null}
      </Stack>
    </Card>
  );
}

export function Governance() {
  const { t } = useTranslation();
  const identity = useIdentity();
  const status = useStatus();
  const validators = useApi('validators');
  const isRegistrar = identity.data?.role === 'registrar';
  return (
    <Stack data-testid="screen-governance" gap="lg">
      <Title order={1}>{t('governance.title')}</Title>
      <Text>{t('governance.explain')}</Text>
      <QueryView query={identity}>
        {(data) =>
          data.role !== 'registrar' ? (
            <Alert color="blue" variant="light" data-testid="governance-not-registrar">
              {t('governance.onlyRegistrars', { role: t(`role.${data.role}`) })}
            </Alert>
          ) : null
        }
      </QueryView>
      <Card withBorder data-testid="governance-authorities">
        <Title order={2} size="h4" mb="xs">
          {t('governance.current')}
        </Title>
        <QueryView query={validators} error="alert">
          {(data) => (
            <div className="table-wrap">
              <Table aria-label={t('governance.current')}>
                <AuthorityColumns>
                  <Table.Th>{t('network.validatorColumns.key')}</Table.Th>
                </AuthorityColumns>
                <Table.Tbody>
                  {/* every authority that takes part: the validators, then the offices that follow without voting */}
                  {[
                    ...data.validators.map((validator) => ({ ...validator, votes: true })),
                    ...data.followers.map((follower) => ({ ...follower, votes: false })),
                  ].map((authority) => (
                    <AuthorityRow
                      key={authority.key}
                      authority={authority}
                      votes={authority.votes}
                      data-testid="authority-row"
                      data-votes={String(authority.votes)}
                    >
                      <Table.Td>
                        <Hash value={authority.key} />
                      </Table.Td>
                    </AuthorityRow>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </QueryView>
      </Card>
      {isRegistrar && status.data ? (
        <>
          <ProposeForm chainId={status.data.chainId} />
          <SubmitSigned registrar={identity.data?.role === 'registrar'} />
        </>
      ) : null}
    </Stack>
  );
}
