// Step 3: checking a certificate. A QR code from the camera or a photo: a compact proof ("NC1")
// is checked against the checkpoints held; a "NOTARY1:" text carries a whole certificate or
// receipt. A certificate's or receipt's file is checked against the trusted validators.
import { Alert, Anchor, Box, FileInput, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { decodeQrDocument, isQrText, QR_DOCUMENT_BYTES_MAX } from '../../shared/receipt/index.js';
import { fastVerifier } from './fast-verifier.js';
import { useT } from './i18n/index.js';
import type { RegistryState } from './registry.js';
import { ResultView } from './Result.js';
import { Scanner } from './Scanner.js';
import { Loading, nextPaint } from './ui.js';
import { compactVerdict, documentVerdict, readScannedCode, type Verdict } from './verdict.js';

/** A certificate's file is a few kilobytes; far more is not one. */
const DOCUMENT_BYTES_MAX = 4 * QR_DOCUMENT_BYTES_MAX;

type Outcome = { verdict: Verdict } | { problem: 'notOurs' | 'fileBad'; detail?: string };

export function CheckSection({ state }: { state: RegistryState }) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  /** Checks finished so far: a new result is told from the last one even when they read alike. */
  const [checked, setChecked] = useState(0);
  const registry = state.status === 'ready' ? state.registry : undefined;
  const noTrust: Verdict = { ok: false, code: 'NO_TRUST', reason: 'no registry is trusted yet' };

  const run = async (work: () => Promise<Outcome>) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      await nextPaint();
      setOutcome(await work());
    } catch (error) {
      setOutcome({ problem: 'fileBad', detail: (error as Error).message });
    } finally {
      setBusy(false);
      setChecked((count) => count + 1);
    }
  };

  const checkText = async (text: string): Promise<Outcome> => ({
    verdict: documentVerdict(await decodeQrDocument(text), registry?.trust, fastVerifier()),
  });

  const onCode = (bytes: Uint8Array) =>
    void run(async () => {
      const code = readScannedCode(bytes);
      if (code.kind === 'other') return { problem: 'notOurs' };
      if (code.kind === 'document') return checkText(code.text);
      return { verdict: registry ? compactVerdict(registry.shelf.verify(code.bytes)) : noTrust };
    });

  const onFile = (file: File | null) => {
    if (!file) return;
    void run(async () => {
      if (file.size > DOCUMENT_BYTES_MAX) return { problem: 'fileBad', detail: `${file.name}: ${file.size} bytes` };
      const text = await file.text();
      if (isQrText(text)) return checkText(text);
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        return { problem: 'fileBad', detail: `${file.name} is not JSON` };
      }
      return { verdict: documentVerdict(document, registry?.trust, fastVerifier()) };
    });
  };

  const missing =
    outcome && 'verdict' in outcome && !outcome.verdict.ok && outcome.verdict.code === 'UNKNOWN_CHECKPOINT';
  return (
    <Stack gap="sm" data-testid="check">
      <Title order={2} size="h4">
        {t('check.heading')}
      </Title>
      <Text size="sm">{t('check.intro')}</Text>
      {!registry ? (
        <Alert color="gray" variant="light">
          {t('result.reasons.NO_TRUST')}
        </Alert>
      ) : null}
      <Scanner onCode={onCode} disabled={busy} />
      <Box data-testid="check-file" maw={420}>
        <FileInput
          label={t('check.file')}
          placeholder={t('check.filePlaceholder')}
          accept=".json,application/json,text/plain"
          onChange={onFile}
          disabled={busy}
        />
      </Box>
      <div aria-live="polite" data-testid="check-outcome" data-checked={checked}>
        {busy ? <Loading label={t('check.working')} /> : null}
        {outcome && 'verdict' in outcome ? <ResultView verdict={outcome.verdict} /> : null}
        {missing ? (
          <Anchor href="#/checkpoints" size="sm" data-testid="to-checkpoints">
            {t('nav.checkpoints')}
          </Anchor>
        ) : null}
        {outcome && 'problem' in outcome ? (
          <Alert color="red" variant="light" role="alert" data-testid="check-problem" data-problem={outcome.problem}>
            <Text size="sm">{t(outcome.problem === 'notOurs' ? 'check.notOurs' : 'check.fileBad')}</Text>
            {outcome.detail ? (
              <Text size="xs" c="dimmed" className="break">
                {outcome.detail}
              </Text>
            ) : null}
          </Alert>
        ) : null}
      </div>
    </Stack>
  );
}
