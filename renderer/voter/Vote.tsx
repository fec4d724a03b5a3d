// The voting steps: credential, choices, encryption with the tracker (and the check a voter may
// ask for instead of casting), casting and following the ballot until it is final.
import { Alert, Anchor, Badge, Button, Checkbox, Code, Group, Radio, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { TxStatus } from '../../shared/api/contract.js';
import { checkBallotRecord, type BallotCheckRecord } from '../../shared/election/voter/ballot-check-record.js';
import type { ElectionView } from '../../shared/modules/election/api.js';
import { castBallot, findCredential, getChainId, getTxStatus } from './api.js';
import { CredentialStep, PublicKeyCard, type Unlocked } from './Credential.js';
import { translateCode, useT } from './i18n/index.js';
import { Copyable, ErrorAlert, Loading, download, explain, formatTime, nextPaint, shortHex } from './ui.js';
import {
  encryptSelection,
  openForCheck,
  pageGroup,
  selectionProblems,
  signCast,
  type EncryptedBallot,
  type Selection,
} from './voting.js';

/** Polling a cast until final: every 1.5 s, for at most 3 minutes. */
const POLL_MS = 1_500;
const FINAL_WAIT_MS = 180_000;

type Step = 'credential' | 'choose' | 'encrypt' | 'cast';
const STEPS: Step[] = ['credential', 'choose', 'encrypt', 'cast'];

function StepHeading({ step }: { step: Step }) {
  const { t } = useT();
  const n = STEPS.indexOf(step) + 1;
  return (
    <Title order={2} size="h4" data-testid="step-heading" data-step={step}>
      {`${n}/${STEPS.length} · ${t(`steps.${step}`)}`}
    </Title>
  );
}

export function votingState(election: ElectionView, nowMs: number): 'open' | 'notYet' | 'over' | 'noKey' {
  if (election.phase === 'keygen' || !election.publicKey) return 'noKey';
  if (election.phase !== 'voting' || nowMs >= election.closesAtMs) return 'over';
  if (nowMs < election.opensAtMs) return 'notYet';
  return 'open';
}

function RollStatus({ election, pair, onLock }: { election: ElectionView; pair: Unlocked; onLock: () => void }) {
  const { t } = useT();
  const roll = useQuery({
    queryKey: ['credential', pair.pair.publicKey],
    queryFn: () => findCredential(pair.pair.publicKey),
  });
  return (
    <Stack gap="xs" data-testid="roll-status">
      <Group gap="xs" justify="space-between">
        <Text size="sm">{t('credential.unlocked', { key: shortHex(pair.pair.publicKey) })}</Text>
        <Button size="xs" variant="subtle" onClick={onLock} data-testid="credential-lock">
          {t('credential.lock')}
        </Button>
      </Group>
      {pair.plain ? (
        <Alert color="orange" variant="light">
          {t('credential.notSealed')}
        </Alert>
      ) : null}
      {roll.isPending ? <Loading label={t('credential.roll.checking')} /> : null}
      {roll.error ? <ErrorAlert error={roll.error} onRetry={() => void roll.refetch()} /> : null}
      {roll.data === null ? (
        <>
          <Alert color="yellow" variant="light" data-testid="roll-absent">
            {t('credential.roll.notOnRoll')}
          </Alert>
          <PublicKeyCard publicKey={pair.pair.publicKey} />
        </>
      ) : null}
      {roll.data ? (
        <Alert
          color={roll.data.election === election.id ? 'green' : 'red'}
          variant="light"
          data-testid="roll-present"
          data-election={roll.data.election}
        >
          <Text size="sm">
            {roll.data.election === election.id
              ? t('credential.roll.onRoll', { election: election.title, district: roll.data.district })
              : t('credential.roll.wrongElection', { election: roll.data.election })}
          </Text>
          <Text size="sm" data-testid="roll-last-vote">
            {roll.data.ballot
              ? t('credential.roll.lastVoted', {
                  height: roll.data.ballot.height,
                  tracker: shortHex(roll.data.ballot.hash, 16),
                })
              : t('credential.roll.notVoted')}
          </Text>
        </Alert>
      ) : null}
      <Group>
        <Button size="xs" variant="light" onClick={() => void roll.refetch()} data-testid="roll-recheck">
          {t('credential.roll.recheck')}
        </Button>
      </Group>
    </Stack>
  );
}

function ChooseStep({
  election,
  selection,
  onChange,
  onNext,
}: {
  election: ElectionView;
  selection: Selection;
  onChange: (selection: Selection) => void;
  onNext: () => void;
}) {
  const { t } = useT();
  const [tried, setTried] = useState(false);
  const problems = selectionProblems(election, selection);
  const set = (q: number, chosen: number[]) =>
    onChange(election.contests.map((_, k) => (k === q ? chosen : (selection[k] ?? []))));
  return (
    <Stack gap="md" data-testid="choose-step">
      {election.contests.map((contest, q) => {
        const rule =
          contest.min === contest.max
            ? t('choose.exactly', { count: contest.min })
            : contest.min === 0
              ? t('choose.upTo', { max: contest.max })
              : t('choose.range', { min: contest.min, max: contest.max });
        const chosen = selection[q] ?? [];
        return contest.max === 1 && contest.min === 1 ? (
          <Radio.Group
            key={q}
            label={contest.title}
            description={rule}
            value={chosen[0] === undefined ? null : String(chosen[0])}
            onChange={(value) => set(q, [Number(value)])}
            data-testid={`contest-${q}`}
          >
            <Stack gap={6} mt="xs">
              {contest.choices.map((choice, b) => (
                <Radio key={b} value={String(b)} label={choice} data-testid={`choice-${q}-${b}`} />
              ))}
            </Stack>
          </Radio.Group>
        ) : (
          <Checkbox.Group
            key={q}
            label={contest.title}
            description={`${rule} ${t('choose.selected', { count: chosen.length })}`}
            value={chosen.map(String)}
            onChange={(values) =>
              set(
                q,
                values.map(Number).sort((a, b) => a - b),
              )
            }
            data-testid={`contest-${q}`}
          >
            <Stack gap={6} mt="xs">
              {contest.choices.map((choice, b) => (
                <Checkbox key={b} value={String(b)} label={choice} data-testid={`choice-${q}-${b}`} />
              ))}
            </Stack>
          </Checkbox.Group>
        );
      })}
      {tried && problems.length > 0 ? (
        <Alert color="red" variant="light" role="alert" data-testid="selection-problems">
          {problems.map((problem) => (
            <Text size="sm" key={problem.contest}>
              {t(`choose.${problem.kind}`, {
                count: problem.bound,
                contest: election.contests[problem.contest]!.title,
              })}
            </Text>
          ))}
        </Alert>
      ) : null}
      <Group>
        <Button
          onClick={() => {
            setTried(true);
            if (problems.length === 0) onNext();
          }}
          data-testid="choose-next"
        >
          {t('choose.next')}
        </Button>
      </Group>
    </Stack>
  );
}

/** The choices a ballot's votes mark, in words: "Question: choice, choice". */
function ChoicesInWords({ election, votes }: { election: ElectionView; votes: number[][] }) {
  return (
    <Stack gap={2} data-testid="checked-choices">
      {election.contests.map((contest, q) => (
        <Text size="sm" key={q}>
          <b>{contest.title}:</b> {contest.choices.filter((_, b) => votes[q]?.[b] === 1).join(', ') || '—'}
        </Text>
      ))}
    </Stack>
  );
}

type CastState =
  | { state: 'sending' }
  | { state: 'waiting'; hash: string }
  | { state: 'final'; hash: string; height: number }
  | { state: 'rejected'; code: string; sentence: string }
  | { state: 'timeout'; hash: string }
  | { state: 'error'; error: unknown };

function EncryptStep({
  election,
  pair,
  selection,
  onBack,
  onCast,
}: {
  election: ElectionView;
  pair: Unlocked;
  selection: Selection;
  onBack: () => void;
  onCast: (ballot: EncryptedBallot) => void;
}) {
  const { t } = useT();
  // The election as this step opened with it: the page refreshes the election's view every few
  // seconds (turnout, totals), and a refreshed view must not re-encrypt under a voter who has
  // read (or written down) the tracker shown. Its key and contests never change once voting opens.
  const [encryptFor] = useState(election);
  const [round, setRound] = useState(0);
  const [ballot, setBallot] = useState<EncryptedBallot>();
  const [error, setError] = useState<unknown>();
  const [check, setCheck] = useState<{ record: BallotCheckRecord; votes?: number[][]; error?: unknown }>();
  const roll = useQuery({
    queryKey: ['credential', pair.pair.publicKey],
    queryFn: () => findCredential(pair.pair.publicKey),
  });
  const boxes = election.contests.reduce((sum, contest) => sum + contest.choices.length, 0);

  useEffect(() => {
    let live = true;
    setBallot(undefined);
    setError(undefined);
    void (async () => {
      try {
        await nextPaint();
        const made = await encryptSelection(encryptFor, pair.pair.publicKey, selection);
        if (live) setBallot(made);
      } catch (caught) {
        if (live) setError(caught);
      }
    })();
    return () => {
      live = false;
    };
  }, [encryptFor, pair, selection, round]);

  const runCheck = async () => {
    if (!ballot) return;
    // the ballot is opened: from here it can never be cast (docs/elections.md C.6)
    const record = openForCheck(encryptFor, pair.pair.publicKey, ballot);
    setBallot(undefined);
    try {
      const result = checkBallotRecord(pageGroup(), record, {
        id: election.id,
        publicKey: election.publicKey!,
        contests: election.contests,
      });
      setCheck({ record, votes: result.votes });
    } catch (caught) {
      setCheck({ record, error: caught });
    }
  };

  const previous = roll.data?.election === election.id ? roll.data.ballot : undefined;
  return (
    <Stack gap="md" data-testid="encrypt-step">
      {check ? (
        <Stack gap="sm" data-testid="check-result" data-passed={check.votes ? 'true' : 'false'}>
          {check.votes ? (
            <Alert color="green" variant="light" role="status" title={t('check.passed')}>
              <ChoicesInWords election={election} votes={check.votes} />
            </Alert>
          ) : (
            <Alert color="red" variant="light" role="alert">
              {t('check.failed', { reason: explain(t, check.error).sentence })}
            </Alert>
          )}
          <Text size="sm">{t('check.discarded')}</Text>
          <Text size="sm">{t('check.secondDevice')}</Text>
          <Text size="sm" fw={600}>
            {t('check.record')}
          </Text>
          {/* scrollable, so reachable by keyboard (axe: scrollable-region-focusable) */}
          <Code block className="record" data-testid="check-record" tabIndex={0} aria-label={t('check.record')}>
            {JSON.stringify(check.record)}
          </Code>
          <Group>
            <Copyable value={JSON.stringify(check.record)} label={t('check.record')} testid="check-record-copy" />
          </Group>
          <Group>
            <Button
              variant="light"
              onClick={() =>
                download(`ballot-check-${check.record.tracker.slice(0, 8)}.json`, JSON.stringify(check.record, null, 1))
              }
            >
              {t('check.download')}
            </Button>
            <Button
              onClick={() => {
                setCheck(undefined);
                setRound((k) => k + 1);
              }}
              data-testid="encrypt-fresh"
            >
              {t('check.fresh')}
            </Button>
          </Group>
        </Stack>
      ) : null}
      {!check && !ballot && !error ? <Loading label={t('encrypt.working', { boxes })} /> : null}
      {error ? <ErrorAlert error={error} onRetry={() => setRound((k) => k + 1)} /> : null}
      {ballot && !check ? (
        <Stack gap="sm">
          <Text size="sm" c="dimmed" data-testid="encrypt-done">
            {t('encrypt.done', { ms: ballot.elapsedMs })}
          </Text>
          <Text size="sm" fw={600}>
            {t('encrypt.tracker')}
          </Text>
          <Copyable value={ballot.tracker} label={t('encrypt.tracker')} testid="ballot-tracker" />
          <Text size="sm">{t('encrypt.trackerHelp')}</Text>
          {previous ? (
            <Alert color="orange" variant="light" data-testid="replaces-notice">
              {t('encrypt.replaces', { height: previous.height, tracker: shortHex(previous.hash, 16) })}
            </Alert>
          ) : null}
          <Text size="sm">{t('encrypt.castOrCheck')}</Text>
          <Group>
            <Button onClick={() => onCast(ballot)} data-testid="cast-button">
              {t('cast.button')}
            </Button>
            <Button variant="light" onClick={() => void runCheck()} data-testid="check-button">
              {t('check.button')}
            </Button>
            <Button variant="subtle" onClick={onBack}>
              {t('choose.back')}
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            {t('check.explain')}
          </Text>
        </Stack>
      ) : null}
    </Stack>
  );
}

function CastStep({
  election,
  pair,
  ballot,
  onAgain,
}: {
  election: ElectionView;
  pair: Unlocked;
  ballot: EncryptedBallot;
  onAgain: () => void;
}) {
  const { t } = useT();
  const queryClient = useQueryClient();
  const [cast, setCast] = useState<CastState>({ state: 'sending' });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void (async () => {
      try {
        const chainId = await getChainId();
        const { tx, hash } = signCast(chainId, election.id, ballot.bytes, pair.pair);
        const answer = await castBallot(election.id, tx);
        let status: TxStatus = answer.status;
        const deadline = Date.now() + FINAL_WAIT_MS;
        while (status.state !== 'final' && status.state !== 'rejected') {
          if (Date.now() > deadline) {
            setCast({ state: 'timeout', hash });
            return;
          }
          setCast({ state: 'waiting', hash });
          await new Promise((done) => setTimeout(done, POLL_MS));
          status = await getTxStatus(hash);
        }
        if (status.state === 'rejected') setCast({ state: 'rejected', code: status.code, sentence: status.sentence });
        else setCast({ state: 'final', hash, height: status.height });
        await queryClient.invalidateQueries({ queryKey: ['credential', pair.pair.publicKey] });
      } catch (caught) {
        setCast({ state: 'error', error: caught });
      }
    })();
  }, [election.id, ballot, pair, queryClient]);

  return (
    <Stack gap="sm" data-testid="cast-step" data-state={cast.state}>
      {cast.state === 'sending' ? <Loading label={t('cast.sending')} /> : null}
      {cast.state === 'waiting' ? <Loading label={t('cast.waiting')} /> : null}
      {cast.state === 'final' ? (
        <>
          <Alert color="green" variant="light" role="status" data-testid="cast-final">
            {t('cast.final', { height: cast.height })}
          </Alert>
          <Text size="sm" fw={600}>
            {t('encrypt.tracker')}
          </Text>
          <Copyable value={ballot.tracker} label={t('encrypt.tracker')} testid="cast-tracker" />
          <Text size="sm" data-testid="cast-later">
            {t('cast.later')}
          </Text>
          <Group>
            <Anchor href={`#/board/${ballot.tracker}`} data-testid="cast-board-link">
              {t('cast.board')}
            </Anchor>
            <Button variant="light" onClick={onAgain} data-testid="vote-again">
              {t('cast.again')}
            </Button>
          </Group>
        </>
      ) : null}
      {cast.state === 'rejected' ? (
        <Alert
          color="red"
          variant="light"
          role="alert"
          title={t('cast.rejected')}
          data-testid="cast-rejected"
          data-code={cast.code}
        >
          <Text size="sm">{translateCode(t, 'reject', cast.code) ?? cast.sentence}</Text>
          <Text size="xs" c="dimmed">
            {t('errors.serverSays', { message: `${cast.code}: ${cast.sentence}` })}
          </Text>
        </Alert>
      ) : null}
      {cast.state === 'timeout' ? (
        <Alert color="yellow" variant="light">
          {t('cast.timeout')}
        </Alert>
      ) : null}
      {cast.state === 'error' ? <ErrorAlert error={cast.error} /> : null}
      {cast.state === 'rejected' || cast.state === 'error' ? (
        <Group>
          <Button variant="light" onClick={onAgain}>
            {t('choose.back')}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function VoteFlow({ election }: { election: ElectionView }) {
  const { t, language } = useT();
  const [pair, setPair] = useState<Unlocked>();
  const [step, setStep] = useState<Step>('credential');
  const [selection, setSelection] = useState<Selection>(() => election.contests.map(() => []));
  const [ballot, setBallot] = useState<EncryptedBallot>();
  const roll = useQuery({
    queryKey: ['credential', pair?.pair.publicKey],
    queryFn: () => findCredential(pair!.pair.publicKey),
    enabled: pair !== undefined,
  });
  const state = votingState(election, Date.now());
  const canVote = state === 'open' && roll.data?.election === election.id;

  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {t('election.window', {
          opens: formatTime(election.opensAtMs, language),
          closes: formatTime(election.closesAtMs, language),
        })}
      </Text>
      {state === 'noKey' ? <Alert color="yellow">{t('election.keyNotReady')}</Alert> : null}
      {state === 'notYet' ? (
        <Alert color="yellow">{t('election.notOpenYet', { opens: formatTime(election.opensAtMs, language) })}</Alert>
      ) : null}
      {state === 'over' ? <Alert color="gray">{t('election.over')}</Alert> : null}
      <StepHeading step={step} />
      {pair ? (
        <RollStatus
          election={election}
          pair={pair}
          onLock={() => {
            setPair(undefined);
            setBallot(undefined);
            setStep('credential');
          }}
        />
      ) : (
        <>
          <Title order={3} size="h5">
            {t('credential.heading')}
          </Title>
          <CredentialStep election={election.id} onUnlocked={setPair} />
        </>
      )}
      {pair && step === 'credential' && canVote ? (
        <Group>
          <Button onClick={() => setStep('choose')} data-testid="to-choices">
            {t('steps.choose')}
          </Button>
        </Group>
      ) : null}
      {pair && canVote && step === 'choose' ? (
        <>
          <Title order={3} size="h5">
            {t('choose.heading')}
          </Title>
          <ChooseStep
            election={election}
            selection={selection}
            onChange={setSelection}
            onNext={() => setStep('encrypt')}
          />
        </>
      ) : null}
      {pair && canVote && step === 'encrypt' ? (
        <EncryptStep
          election={election}
          pair={pair}
          selection={selection}
          onBack={() => setStep('choose')}
          onCast={(made) => {
            setBallot(made);
            setStep('cast');
          }}
        />
      ) : null}
      {pair && step === 'cast' && ballot ? (
        <CastStep
          election={election}
          pair={pair}
          ballot={ballot}
          onAgain={() => {
            setBallot(undefined);
            setStep('choose');
          }}
        />
      ) : null}
      {pair && step !== 'credential' && step !== 'cast' && !canVote && roll.data ? (
        <Badge color="gray">{t('election.over')}</Badge>
      ) : null}
    </Stack>
  );
}
