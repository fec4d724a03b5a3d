// "Check a ballot" on a second device: the voter pastes (or opens) the check record the voting
// device showed; this page fetches the election from the network and runs the same check
// (docs/elections.md C.6).
import { Alert, Button, FileInput, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import {
  BALLOT_CHECK_TEXT_MAX,
  checkBallotRecord,
  parseBallotCheckRecord,
} from '../../shared/election/voter/ballot-check-record.js';
import type { ElectionView } from '../../shared/modules/election/api.js';
import { getElection } from './api.js';
import { pageGroup } from './voting.js';
import { useT } from './i18n/index.js';
import { ErrorAlert, Loading, readSmallFile } from './ui.js';

export function CheckPage() {
  const { t } = useT();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<
    { election: ElectionView; votes: number[][]; tracker: string } | { error: unknown }
  >();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setOutcome(undefined);
    try {
      const record = parseBallotCheckRecord(text.trim());
      const election = await getElection(record.election);
      if (!election.publicKey) throw Object.assign(new Error('no key'), { code: 'BALLOT_CHECK_WRONG_ELECTION' });
      const result = checkBallotRecord(pageGroup(), record, {
        id: election.id,
        publicKey: election.publicKey,
        contests: election.contests,
      });
      setOutcome({ election, ...result });
    } catch (error) {
      setOutcome({ error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} data-testid="check-page">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('check.heading')}
        </Title>
        <Text size="sm">{t('check.intro')}</Text>
        <FileInput
          label={t('check.fileLabel')}
          placeholder={t('credential.filePlaceholder')}
          accept=".json,application/json,text/plain"
          onChange={(file) => {
            if (file)
              void readSmallFile(file, BALLOT_CHECK_TEXT_MAX).then(setText, (error: unknown) => setOutcome({ error }));
          }}
        />
        <Textarea
          label={t('check.recordLabel')}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          autosize
          minRows={3}
          maxRows={8}
          spellCheck={false}
          className="mono"
          data-testid="check-input"
        />
        <div>
          <Button type="submit" disabled={busy || text.trim() === ''} data-testid="check-run">
            {t('check.run')}
          </Button>
        </div>
        {busy ? <Loading /> : null}
        {outcome && 'error' in outcome ? <ErrorAlert error={outcome.error} /> : null}
        {outcome && 'votes' in outcome ? (
          <Alert color="green" variant="light" role="status" title={t('check.passed')} data-testid="check-page-passed">
            <Stack gap={2}>
              {outcome.election.contests.map((contest, q) => (
                <Text size="sm" key={q}>
                  <b>{contest.title}:</b>{' '}
                  {contest.choices.filter((_, b) => outcome.votes[q]?.[b] === 1).join(', ') || '—'}
                </Text>
              ))}
              <Text size="xs" className="break" mt="xs">
                {t('check.trackerWas', { tracker: outcome.tracker })}
              </Text>
            </Stack>
          </Alert>
        ) : null}
      </Stack>
    </form>
  );
}
