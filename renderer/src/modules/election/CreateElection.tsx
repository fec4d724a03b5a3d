// Create an election (the commission's registrars): a form checked as it is typed with the
// ledger's own schema and definition check, which builds the unsigned election.create. It needs
// more than 2/3 of the registrars: this office signs (through its node, as on the Governance
// screen) and saves the partly signed file for the next registrar (`notary tx sign` reads it
// too); the next opens it below, signs, and whoever completes the quorum submits it.
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  FileInput,
  Grid,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconDownload, IconFileUpload, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CosignResult } from '../../../../shared/api/index.js';
import { transaction } from '../../../../shared/ledger/schema.js';
import type { Transaction } from '../../../../shared/ledger/index.js';
import { ErrorAlert } from '../../components/common.js';
import { QueryView } from '../../components/QueryView.js';
import { TxProgress } from '../../components/TxProgress.js';
import { useClient, useIdentity, useNow, useStatus } from '../../data.js';
import { UiError } from '../../errors.js';
import { readJsonFile } from '../../files.js';
import { downloadJson, formatTime } from '../../format.js';
import { cosignCreate, submitTx } from './api.js';
import {
  checkForm,
  emptyForm,
  trusteeKeysIn,
  UNIT_MS,
  type DefinitionForm,
  type Duration,
  type FormIssue,
  type Unit,
} from './model.js';

function randomNonce(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return ((words[0] ?? 0) & 0x1f_ffff) * 2 ** 32 + (words[1] ?? 0);
}

function DurationInput({
  label,
  value,
  onChange,
  testid,
}: {
  label: string;
  value: Duration;
  onChange: (value: Duration) => void;
  testid: string;
}) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <NumberInput
        label={label}
        value={value.value}
        onChange={(next) => onChange({ ...value, value: typeof next === 'number' ? next : 0 })}
        min={0}
        allowDecimal={false}
        w={150}
        data-testid={testid}
      />
      <NativeSelect
        aria-label={t('elections.form.unitOf', { field: label })}
        value={value.unit}
        onChange={(event) => onChange({ ...value, unit: event.currentTarget.value as Unit })}
        data={(Object.keys(UNIT_MS) as Unit[]).map((unit) => ({ value: unit, label: t(`elections.units.${unit}`) }))}
        w={120}
        data-testid={`${testid}-unit`}
      />
    </Group>
  );
}

/** The issue at one field (or under it, as `contests.0` for `contests.0.choices.2`). */
function issueAt(issues: readonly FormIssue[], field: string, shown: boolean): string | undefined {
  if (!shown) return undefined;
  return issues.find((issue) => issue.field === field || issue.field.startsWith(`${field}.`))?.message;
}

function DefinitionFormCard({ chainId, onBuilt }: { chainId: string; onBuilt: (tx: Transaction) => void }) {
  const { t } = useTranslation();
  const now = useNow(5_000);
  const [form, setForm] = useState<DefinitionForm>(emptyForm);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const checked = checkForm(form, now);
  const issues = checked.ok ? [] : checked.issues;
  const shown = (field: string) => submitted || touched.has(field);
  const touch = (field: string) => setTouched((before) => new Set(before).add(field));
  const update = (field: string, change: Partial<DefinitionForm>) => {
    touch(field);
    setForm((before) => ({ ...before, ...change }));
  };
  const fieldError = (field: string) => issueAt(issues, field, shown(field));
  const general = issues.filter(
    (issue) => issue.field === '' || issue.field === 'contests' || issue.field === 'trustees',
  );

  const build = () => {
    setSubmitted(true);
    const fresh = checkForm(form, Date.now());
    if (!fresh.ok) return;
    const tx = transaction.parse({
      type: 'election.create',
      chainId,
      // the definition is refused once its first deadline passes: the file expires with it
      expiresAtMs: fresh.payload.dealsUntilMs,
      nonce: randomNonce(),
      signatures: [],
      payload: fresh.payload,
    });
    onBuilt(tx);
  };

  const loadTrustee = async (k: number, file: File | null) => {
    setFileProblem(null);
    if (!file) return;
    try {
      const text = JSON.stringify(await readJsonFile(file));
      const keys = trusteeKeysIn(text);
      if (!keys) throw new UiError('errors.invalidJson');
      const trustees = form.trustees.map((trustee, j) =>
        j === k ? { key: keys.key ?? trustee.key, transportKey: keys.transportKey } : trustee,
      );
      update(`trustees.${k}`, { trustees });
    } catch {
      setFileProblem(t('elections.form.trusteeFileBad', { name: file.name }));
    }
  };

  return (
    <Card withBorder data-testid="election-form">
      <Stack gap="md">
        <Title order={2} size="h4">
          {t('elections.form.title')}
        </Title>
        <Grid>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <TextInput
              label={t('elections.form.name')}
              required
              value={form.title}
              onChange={(event) => update('title', { title: event.currentTarget.value })}
              error={fieldError('title')}
              maxLength={256}
              data-testid="form-title"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <TextInput
              label={t('elections.form.id')}
              description={t('elections.form.idHint')}
              required
              value={form.id}
              onChange={(event) => update('id', { id: event.currentTarget.value })}
              error={fieldError('id')}
              maxLength={64}
              classNames={{ input: 'mono' }}
              data-testid="form-id"
            />
          </Grid.Col>
        </Grid>

        <Title order={3} size="h5">
          {t('elections.form.questions')}
        </Title>
        {form.contests.map((contest, q) => {
          const setContest = (change: Partial<DefinitionForm['contests'][number]>) =>
            update(`contests.${q}`, {
              contests: form.contests.map((c, j) => (j === q ? { ...c, ...change } : c)),
            });
          return (
            <Card withBorder key={q} data-testid="form-contest">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text fw={600}>{t('elections.form.question', { n: q + 1 })}</Text>
                  {form.contests.length > 1 ? (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('elections.form.removeQuestion', { n: q + 1 })}
                      onClick={() => update('contests', { contests: form.contests.filter((_, j) => j !== q) })}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  ) : null}
                </Group>
                <TextInput
                  label={t('elections.form.questionTitle')}
                  required
                  value={contest.title}
                  onChange={(event) => setContest({ title: event.currentTarget.value })}
                  error={issueAt(issues, `contests.${q}.title`, shown(`contests.${q}`))}
                  maxLength={256}
                  data-testid="form-contest-title"
                />
                <Textarea
                  label={t('elections.form.choices')}
                  description={t('elections.form.choicesHint')}
                  required
                  autosize
                  minRows={3}
                  value={contest.choices}
                  onChange={(event) => setContest({ choices: event.currentTarget.value })}
                  error={issueAt(issues, `contests.${q}.choices`, shown(`contests.${q}`))}
                  data-testid="form-contest-choices"
                />
                <Group>
                  <NumberInput
                    label={t('elections.form.min')}
                    value={contest.min}
                    onChange={(value) => setContest({ min: typeof value === 'number' ? value : 0 })}
                    min={0}
                    allowDecimal={false}
                    w={180}
                    data-testid="form-contest-min"
                  />
                  <NumberInput
                    label={t('elections.form.max')}
                    value={contest.max}
                    onChange={(value) => setContest({ max: typeof value === 'number' ? value : 0 })}
                    min={0}
                    allowDecimal={false}
                    w={180}
                    data-testid="form-contest-max"
                  />
                </Group>
              </Stack>
            </Card>
          );
        })}
        <Group>
          <Button
            variant="light"
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() =>
              update('contests', { contests: [...form.contests, { title: '', choices: '', min: 1, max: 1 }] })
            }
            disabled={form.contests.length >= 16}
          >
            {t('elections.form.addQuestion')}
          </Button>
        </Group>

        <Textarea
          label={t('elections.form.districts')}
          description={t('elections.form.districtsHint')}
          required
          autosize
          minRows={2}
          value={form.districts}
          onChange={(event) => update('districts', { districts: event.currentTarget.value })}
          error={fieldError('districts')}
          data-testid="form-districts"
        />

        <Title order={3} size="h5">
          {t('elections.form.trustees')}
        </Title>
        <Text size="sm">{t('elections.form.trusteesHint')}</Text>
        {form.trustees.map((trustee, k) => {
          const setTrustee = (change: Partial<DefinitionForm['trustees'][number]>) =>
            update(`trustees.${k}`, {
              trustees: form.trustees.map((entry, j) => (j === k ? { ...entry, ...change } : entry)),
            });
          return (
            <Card withBorder key={k} data-testid="form-trustee">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text fw={600}>{t('elections.form.trustee', { n: k + 1 })}</Text>
                  {form.trustees.length > 1 ? (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('elections.form.removeTrustee', { n: k + 1 })}
                      onClick={() => update('trustees', { trustees: form.trustees.filter((_, j) => j !== k) })}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  ) : null}
                </Group>
                <Grid>
                  <Grid.Col span={{ base: 12, lg: 6 }}>
                    <TextInput
                      label={t('elections.form.trusteeKey')}
                      value={trustee.key}
                      onChange={(event) => setTrustee({ key: event.currentTarget.value })}
                      error={issueAt(issues, `trustees.${k}.key`, shown(`trustees.${k}`))}
                      classNames={{ input: 'mono' }}
                      maxLength={64}
                      data-testid="form-trustee-key"
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 12, lg: 6 }}>
                    <TextInput
                      label={t('elections.form.transportKey')}
                      value={trustee.transportKey}
                      onChange={(event) => setTrustee({ transportKey: event.currentTarget.value })}
                      error={issueAt(issues, `trustees.${k}.transportKey`, shown(`trustees.${k}`))}
                      classNames={{ input: 'mono' }}
                      maxLength={64}
                      data-testid="form-trustee-transport"
                    />
                  </Grid.Col>
                </Grid>
                <FileInput
                  label={t('elections.form.trusteeFile')}
                  accept="application/json,.json,.txt"
                  onChange={(file) => void loadTrustee(k, file)}
                  leftSection={<IconFileUpload size={16} aria-hidden />}
                  clearable
                  clearButtonProps={{ 'aria-label': t('elections.clearFile') }}
                  w={360}
                  maw="100%"
                  data-testid="form-trustee-file"
                />
              </Stack>
            </Card>
          );
        })}
        {fileProblem ? (
          <Alert color="red" role="alert">
            {fileProblem}
          </Alert>
        ) : null}
        <Group>
          <Button
            variant="light"
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => update('trustees', { trustees: [...form.trustees, { key: '', transportKey: '' }] })}
            disabled={form.trustees.length >= 32}
          >
            {t('elections.form.addTrustee')}
          </Button>
        </Group>
        <Group align="flex-start">
          <NumberInput
            label={t('elections.form.threshold')}
            description={t('elections.form.thresholdHint', { count: form.trustees.length })}
            value={form.threshold}
            onChange={(value) => update('threshold', { threshold: typeof value === 'number' ? value : 0 })}
            min={1}
            allowDecimal={false}
            error={fieldError('threshold')}
            w={260}
            data-testid="form-threshold"
          />
          <NumberInput
            label={t('elections.form.rollMax')}
            description={t('elections.form.rollMaxHint')}
            value={form.rollMax}
            onChange={(value) => update('rollMax', { rollMax: typeof value === 'number' ? value : 0 })}
            min={1}
            allowDecimal={false}
            error={fieldError('rollMax')}
            w={260}
            data-testid="form-roll-max"
          />
        </Group>

        <Title order={3} size="h5">
          {t('elections.form.schedule')}
        </Title>
        <Text size="sm">{t('elections.form.scheduleHint')}</Text>
        <Group align="flex-end" wrap="wrap">
          <DurationInput
            label={t('elections.form.dealsIn')}
            value={form.dealsIn}
            onChange={(dealsIn) => update('dealsIn', { dealsIn })}
            testid="form-deals-in"
          />
          <DurationInput
            label={t('elections.form.complaintsIn')}
            value={form.complaintsIn}
            onChange={(complaintsIn) => update('complaintsIn', { complaintsIn })}
            testid="form-complaints-in"
          />
          <DurationInput
            label={t('elections.form.answersIn')}
            value={form.answersIn}
            onChange={(answersIn) => update('answersIn', { answersIn })}
            testid="form-answers-in"
          />
          <DurationInput
            label={t('elections.form.opensIn')}
            value={form.opensIn}
            onChange={(opensIn) => update('opensIn', { opensIn })}
            testid="form-opens-in"
          />
          <DurationInput
            label={t('elections.form.votingFor')}
            value={form.votingFor}
            onChange={(votingFor) => update('votingFor', { votingFor })}
            testid="form-voting-for"
          />
        </Group>
        {checked.ok ? (
          <Text size="sm" data-testid="form-schedule">
            {t('elections.form.schedulePreview', {
              deals: formatTime(checked.payload.dealsUntilMs),
              opens: formatTime(checked.payload.opensAtMs),
              closes: formatTime(checked.payload.closesAtMs),
            })}
          </Text>
        ) : null}
        {general.length > 0 && (submitted || touched.size > 3) ? (
          <Alert color="red" variant="light" role="alert" data-testid="form-problems">
            {general.map((issue) => (
              <Text size="sm" key={issue.message}>
                {t('elections.form.problem', { message: issue.message })}
              </Text>
            ))}
          </Alert>
        ) : null}
        {submitted && !checked.ok ? (
          <Text size="sm" c="red" role="alert" data-testid="form-invalid">
            {t('elections.form.invalid', { count: issues.length })}
          </Text>
        ) : null}
        <Group>
          <Button onClick={build} data-testid="form-build">
            {t('elections.form.build')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** The transaction on its way to quorum: sign here, save for the next registrar, submit at quorum. */
function Signing({ initial, source }: { initial: Transaction; source: 'built' | 'file' }) {
  const { t } = useTranslation();
  const client = useClient();
  const identity = useIdentity();
  const [tx, setTx] = useState<Transaction>(initial);
  const [tally, setTally] = useState<CosignResult | null>(null);
  const sign = useMutation({
    mutationFn: () => cosignCreate(client, tx),
    onSuccess: (result) => {
      setTx(result.tx);
      setTally(result);
    },
  });
  const submit = useMutation({ mutationFn: () => submitTx(client, tx) });
  const registrar = identity.data?.role === 'registrar';
  const payload = tx.payload as { id?: string; title?: string };
  const fileName = (signatures: number) =>
    `election-create-${payload.id ?? 'new'}.${signatures === 0 ? 'unsigned' : `${signatures}-signed`}.json`;
  const quorum = tally !== null && tally.signatures >= tally.needed;
  return (
    <Card withBorder data-testid="election-signing" data-source={source}>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('elections.sign.title', { title: payload.title ?? '' })}
        </Title>
        <Text size="sm">{t('elections.sign.explain', { until: formatTime(tx.expiresAtMs) })}</Text>
        <Text size="sm" data-testid="signing-count" data-signatures={tx.signatures.length}>
          {t('elections.sign.carries', { count: tx.signatures.length })}
        </Text>
        {!registrar && identity.data ? (
          <Alert color="blue" variant="light">
            {t('elections.sign.onlyRegistrars')}
          </Alert>
        ) : null}
        <Group>
          <Button
            onClick={() => sign.mutate()}
            loading={sign.isPending}
            disabled={!registrar || submit.isSuccess}
            data-testid="signing-sign"
          >
            {t('elections.sign.sign')}
          </Button>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => downloadJson(fileName(tx.signatures.length), tx)}
            data-testid="signing-save"
          >
            {t('elections.sign.save')}
          </Button>
          <Button
            color="green"
            onClick={() => submit.mutate()}
            loading={submit.isPending}
            disabled={submit.isSuccess || tx.signatures.length === 0}
            data-testid="signing-submit"
          >
            {t('elections.sign.submit')}
          </Button>
        </Group>
        {sign.isError ? <ErrorAlert error={sign.error} /> : null}
        {tally ? (
          <Alert
            color={quorum ? 'green' : 'blue'}
            variant="light"
            data-testid="signing-quorum"
            data-signatures={tally.signatures}
            data-needed={tally.needed}
          >
            {quorum
              ? t('elections.sign.quorumReached', { signatures: tally.signatures, needed: tally.needed })
              : t('elections.sign.quorumMissing', { signatures: tally.signatures, needed: tally.needed })}
          </Alert>
        ) : null}
        {submit.isError ? <ErrorAlert error={submit.error} /> : null}
        {submit.data ? <TxProgress txHash={submit.data.txHash} initial={submit.data.status} /> : null}
      </Stack>
    </Card>
  );
}

function OpenFile({ onOpen }: { onOpen: (tx: Transaction) => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const load = async (chosen: File | null) => {
    setFile(chosen);
    setProblem(null);
    if (!chosen) return;
    try {
      const parsed = transaction.safeParse(await readJsonFile(chosen));
      if (!parsed.success || parsed.data.type !== 'election.create') throw new UiError('errors.invalidJson');
      onOpen(parsed.data);
    } catch (error) {
      setProblem(error);
    }
  };
  return (
    <Card withBorder data-testid="election-open">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('elections.open.title')}
        </Title>
        <Text size="sm">{t('elections.open.explain')}</Text>
        <FileInput
          label={t('elections.open.file')}
          accept="application/json,.json"
          value={file}
          onChange={(chosen) => void load(chosen)}
          leftSection={<IconFileUpload size={16} aria-hidden />}
          clearable
          clearButtonProps={{ 'aria-label': t('elections.clearFile') }}
          w={360}
          maw="100%"
          data-testid="election-open-file"
        />
        {problem ? <ErrorAlert error={problem} title={t('elections.open.bad')} /> : null}
      </Stack>
    </Card>
  );
}

export function CreateElection() {
  const { t } = useTranslation();
  const status = useStatus();
  const [current, setCurrent] = useState<{ tx: Transaction; source: 'built' | 'file'; n: number } | null>(null);
  const show = (tx: Transaction, source: 'built' | 'file') =>
    setCurrent((before) => ({ tx, source, n: (before?.n ?? 0) + 1 }));
  return (
    <Stack gap="lg" data-testid="screen-election-create">
      <Title order={1}>{t('elections.createTitle')}</Title>
      <Text>{t('elections.createExplain')}</Text>
      <QueryView query={status}>
        {(data) => <DefinitionFormCard chainId={data.chainId} onBuilt={(tx) => show(tx, 'built')} />}
      </QueryView>
      {current ? <Signing key={current.n} initial={current.tx} source={current.source} /> : null}
      <OpenFile onOpen={(tx) => show(tx, 'file')} />
    </Stack>
  );
}
