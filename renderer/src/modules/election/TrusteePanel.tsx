// The trustee's ceremony on its own machine (docs/elections.md C.7): on the election's screen of
// an office the definition names as a trustee, the step the election is in (deal, check the
// shares received, answer complaints, fix the key, decrypt the closed totals, publish the
// results), each sent by this office's node with the keystore it keeps in its data folder. The
// passphrase is typed for each step and cleared once sent; each transaction is followed to final.
// On the list screen, a trustee makes its keystore for an election being prepared.
import {
  Alert,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SubmitResult } from '../../../../shared/api/index.js';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { electionId } from '../../../../shared/modules/election/types.js';
import { ErrorAlert } from '../../components/common.js';
import { TxProgress } from '../../components/TxProgress.js';
import { useApi, useClient, useIdentity, useNow } from '../../data.js';
import { formatTime } from '../../format.js';
import { makeTrusteeKey, officeStep, trusteeStep } from './api.js';
import { trusteeStage, type TrusteeStage } from './model.js';

const PASSPHRASE_CHARS_MIN = 8;
const PASSPHRASE_CHARS_MAX = 1024;
const passphraseFits = (text: string) =>
  [...text].length >= PASSPHRASE_CHARS_MIN && [...text].length <= PASSPHRASE_CHARS_MAX;

/** The stages whose step opens the keystore, and the route that takes it. */
const WITH_PASSPHRASE = {
  deal: 'electionTrusteeDeal',
  check: 'electionTrusteeCheck',
  answer: 'electionTrusteeAnswer',
  decrypt: 'electionTrusteeDecrypt',
} as const;
type PassphraseStage = keyof typeof WITH_PASSPHRASE;
const needsPassphrase = (stage: TrusteeStage): stage is PassphraseStage => stage in WITH_PASSPHRASE;

/** The transactions a step sent, one progress each; for a check, also what it found. */
interface Sent {
  stage: TrusteeStage;
  txs: Array<{ label?: string; result: SubmitResult }>;
  summary?: { good: number; complaints: number; missing: number };
}

export function TrusteePanel({ view }: { view: ElectionView }) {
  const identity = useIdentity();
  const key = identity.data?.publicKey;
  const me = key ? view.trustees.findIndex((trustee) => trustee.key === key) + 1 : 0;
  if (me === 0) return null;
  return <TrusteeSteps view={view} me={me} />;
}

function TrusteeSteps({ view, me }: { view: ElectionView; me: number }) {
  const { t } = useTranslation();
  const client = useClient();
  const queryClient = useQueryClient();
  const now = useNow(1_000);
  const keystore = useApi('electionTrustee', { params: { id: view.id } });
  const [passphrase, setPassphrase] = useState('');
  const [sent, setSent] = useState<Sent | undefined>();
  const stage = trusteeStage(view, me, keystore.data?.keystore ?? false, now);
  const step = useMutation({
    mutationFn: async (what: TrusteeStage): Promise<Sent> => {
      if (what === 'key' || what === 'tally')
        return { stage: what, txs: [{ result: await officeStep(client, view.id, what) }] };
      if (!needsPassphrase(what)) throw new Error(`no step at stage ${what}`);
      if (what === 'check') {
        const checked = await trusteeStep(client, 'electionTrusteeCheck', view.id, passphrase);
        return {
          stage: what,
          txs: checked.complaints.map((c) => ({
            label: t('elections.trustee.complaintAbout', { dealer: c.dealer }),
            result: c.submitted,
          })),
          summary: { good: checked.good, complaints: checked.complaints.length, missing: checked.missing },
        };
      }
      if (what === 'answer') {
        const answered = await trusteeStep(client, 'electionTrusteeAnswer', view.id, passphrase);
        return {
          stage: what,
          txs: answered.answers.map((a) => ({
            label: t('elections.trustee.answerTo', { recipient: a.recipient }),
            result: a.submitted,
          })),
        };
      }
      return { stage: what, txs: [{ result: await trusteeStep(client, WITH_PASSPHRASE[what], view.id, passphrase) }] };
    },
    onSuccess: (result) => {
      setSent(result);
      void queryClient.invalidateQueries({ queryKey: ['election'] });
    },
    // the passphrase is never kept: cleared whatever the answer
    onSettled: () => setPassphrase(''),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    step.mutate(stage);
  };
  const ready = !needsPassphrase(stage) || passphraseFits(passphrase);
  const actionable = needsPassphrase(stage) || stage === 'key' || stage === 'tally';
  return (
    <Card withBorder data-testid="election-trustee" data-stage={stage} data-trustee={me}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('elections.trustee.title', { trustee: me })}
          </Title>
          <Text size="sm" data-testid="election-trustee-sentence">
            {t(`elections.trustee.stage.${stage}`, {
              dealt: view.dealt.length,
              trustees: view.trustees.length,
              decrypted: view.decrypted.length,
              threshold: view.threshold,
              until: formatTime(
                stage === 'deal'
                  ? view.dealsUntilMs
                  : stage === 'check'
                    ? view.complaintsUntilMs
                    : stage === 'answer' || stage === 'wait'
                      ? view.answersUntilMs
                      : view.closesAtMs,
              ),
            })}
          </Text>
          {keystore.isError ? <ErrorAlert error={keystore.error} /> : null}
          {needsPassphrase(stage) ? (
            <PasswordInput
              label={t('elections.trustee.passphrase')}
              description={t('elections.trustee.passphraseHelp')}
              value={passphrase}
              onChange={(event) => setPassphrase(event.currentTarget.value)}
              autoComplete="current-password"
              maxLength={PASSPHRASE_CHARS_MAX * 2}
              data-testid="election-trustee-passphrase"
            />
          ) : null}
          {actionable ? (
            <Group>
              <Button type="submit" loading={step.isPending} disabled={!ready} data-testid="election-trustee-submit">
                {t(`elections.trustee.button.${stage as PassphraseStage | 'key' | 'tally'}`)}
              </Button>
            </Group>
          ) : null}
          {step.isError ? <ErrorAlert error={step.error} /> : null}
          {sent?.summary ? (
            <Alert
              color={sent.summary.complaints > 0 ? 'orange' : 'green'}
              variant="light"
              data-testid="election-trustee-checked"
            >
              {t('elections.trustee.checked', sent.summary)}
            </Alert>
          ) : null}
          {sent && sent.txs.length === 0 && !sent.summary ? (
            <Text size="sm" data-testid="election-trustee-nothing">
              {t('elections.trustee.nothingToSend')}
            </Text>
          ) : null}
          {sent?.txs.map(({ label, result }) => (
            <Stack gap={4} key={result.txHash} data-testid="election-trustee-sent" data-step={sent.stage}>
              {label ? <Text size="sm">{label}</Text> : null}
              <TxProgress txHash={result.txHash} initial={result.status} />
            </Stack>
          ))}
        </Stack>
      </form>
    </Card>
  );
}

/** A trustee makes its keystore for an election being prepared: the transport key goes into the definition. */
export function TrusteeKeyCard() {
  const { t } = useTranslation();
  const client = useClient();
  const [id, setId] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const make = useMutation({
    mutationFn: () => makeTrusteeKey(client, id, passphrase),
    onSettled: () => {
      setPassphrase('');
      setAgain('');
    },
  });
  const idProblem = id !== '' && !electionId.safeParse(id).success;
  const mismatch = again !== '' && again !== passphrase;
  const ready = electionId.safeParse(id).success && passphraseFits(passphrase) && again === passphrase;
  return (
    <Card withBorder data-testid="trustee-key">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) make.mutate();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('elections.trustee.keyTitle')}
          </Title>
          <Text size="sm">{t('elections.trustee.keyExplain')}</Text>
          <TextInput
            label={t('elections.trustee.keyElection')}
            value={id}
            onChange={(event) => setId(event.currentTarget.value.trim())}
            error={idProblem ? t('elections.trustee.keyElectionInvalid') : undefined}
            data-testid="trustee-key-election"
          />
          <PasswordInput
            label={t('elections.trustee.passphrase')}
            description={t('elections.trustee.passphraseNew')}
            value={passphrase}
            onChange={(event) => setPassphrase(event.currentTarget.value)}
            autoComplete="new-password"
            data-testid="trustee-key-passphrase"
          />
          <PasswordInput
            label={t('elections.trustee.passphraseAgain')}
            value={again}
            onChange={(event) => setAgain(event.currentTarget.value)}
            error={mismatch ? t('elections.trustee.passphraseMismatch') : undefined}
            autoComplete="new-password"
            data-testid="trustee-key-again"
          />
          <Group>
            <Button type="submit" loading={make.isPending} disabled={!ready} data-testid="trustee-key-make">
              {t('elections.trustee.keyButton')}
            </Button>
          </Group>
          {make.isError ? <ErrorAlert error={make.error} /> : null}
          {make.data ? (
            <Stack gap="xs" data-testid="trustee-key-made">
              <Text size="sm">{t('elections.trustee.keyMade', { election: make.data.election })}</Text>
              <Group gap="xs" wrap="nowrap">
                <Code className="mono" data-testid="trustee-key-transport" style={{ overflowWrap: 'anywhere' }}>
                  {make.data.transportKey}
                </Code>
                <CopyButton value={make.data.transportKey}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="light" onClick={copy}>
                      {copied ? t('elections.trustee.copied') : t('elections.trustee.copy')}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            </Stack>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}
