// Step 1: the voter's credential. Made here (the key pair never leaves the browser; only the
// sealed text is kept or downloaded) or unlocked from a sealed file, a kept copy, or the text
// of the desk's print. docs/elections.md C.5.
import { Alert, Button, FileInput, Group, PasswordInput, Progress, Stack, Text, Textarea, Title } from '@mantine/core';
import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import type { KeyPair } from '../../shared/crypto/index.js';
import {
  CREDENTIAL_TEXT_MAX,
  newCredential,
  openCredential,
  readCredentialText,
  sealCredential,
} from '../../shared/election/voter/credential-file.js';
import { useT } from './i18n/index.js';
import { forgetCredential, keepCredential, keptCredentials, type KeptCredential } from './storage.js';
import { Copyable, ErrorAlert, download, nextPaint, readSmallFile, shortHex } from './ui.js';

/** The passphrase's key derivation (Argon2id, seconds on a phone) as a progress bar. */
function KdfProgress({ label, fraction }: { label: string; fraction: number }) {
  return (
    <Stack gap={4} role="status" aria-live="polite" data-testid="kdf-progress">
      <Text size="sm">{label}</Text>
      <Progress value={Math.round(fraction * 100)} aria-label={label} size="sm" />
    </Stack>
  );
}

export interface Unlocked {
  pair: KeyPair;
  /** The text was a plain (unsealed) key pair, as the CLI writes it. */
  plain: boolean;
}

export function PublicKeyCard({ publicKey }: { publicKey: string }) {
  const { t } = useT();
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    let live = true;
    void QRCode.toDataURL(publicKey, { errorCorrectionLevel: 'M', margin: 2, scale: 6 }).then(
      (url) => live && setQr(url),
    );
    return () => {
      live = false;
    };
  }, [publicKey]);
  return (
    <Stack gap="xs" data-testid="credential-public">
      <Text size="sm">{t('credential.showDesk')}</Text>
      {qr ? <img src={qr} alt={t('credential.qrAlt')} className="qr" data-testid="credential-qr" /> : null}
      <Text size="sm" fw={600}>
        {t('credential.publicKey')}
      </Text>
      <Copyable value={publicKey} label={t('credential.publicKey')} testid="credential-public-key" />
    </Stack>
  );
}

function MakeCredential({
  election,
  onMade,
}: {
  election: string;
  onMade: (unlocked: Unlocked, text: string) => void;
}) {
  const { t } = useT();
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [fraction, setFraction] = useState(0);
  const [error, setError] = useState<unknown>();
  const mismatch = repeat.length > 0 && passphrase !== repeat;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase !== repeat) return;
    setBusy(true);
    setError(undefined);
    try {
      await nextPaint();
      const pair = newCredential();
      setFraction(0);
      const text = await sealCredential(pair, passphrase, election, setFraction);
      keepCredential(text);
      onMade({ pair, plain: false }, text);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} data-testid="make-credential">
      <Stack gap="sm">
        <PasswordInput
          label={t('credential.passphrase')}
          description={t('credential.passphraseHint')}
          value={passphrase}
          onChange={(event) => setPassphrase(event.currentTarget.value)}
          autoComplete="new-password"
          required
          minLength={8}
          data-testid="make-passphrase"
        />
        <PasswordInput
          label={t('credential.passphraseRepeat')}
          value={repeat}
          onChange={(event) => setRepeat(event.currentTarget.value)}
          autoComplete="new-password"
          required
          error={mismatch ? t('credential.passphraseMismatch') : undefined}
          data-testid="make-passphrase-repeat"
        />
        {busy ? <KdfProgress label={t('credential.sealing')} fraction={fraction} /> : null}
        {error ? <ErrorAlert error={error} /> : null}
        <Group>
          <Button type="submit" disabled={busy || mismatch || passphrase.length < 8} data-testid="make-seal">
            {t('credential.seal')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function UnlockCredential({ kept, onUnlocked }: { kept?: KeptCredential; onUnlocked: (unlocked: Unlocked) => void }) {
  const { t } = useT();
  const [text, setText] = useState(kept?.text ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [fraction, setFraction] = useState(0);
  const [error, setError] = useState<unknown>();
  const [needsPassphrase, setNeedsPassphrase] = useState(true);

  const takeFile = async (chosen: File | null) => {
    setFile(chosen);
    setError(undefined);
    if (!chosen) return;
    try {
      const read = await readSmallFile(chosen, CREDENTIAL_TEXT_MAX);
      setText(read);
      setNeedsPassphrase(readCredentialText(read).kind === 'sealed');
    } catch (caught) {
      setError(
        (caught as { code?: string }).code === 'fileTooLarge'
          ? Object.assign(new Error(), { code: 'fileTooLarge' })
          : caught,
      );
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!text.trim()) {
      setError(Object.assign(new Error(), { code: 'noText' }));
      return;
    }
    setBusy(true);
    try {
      await nextPaint();
      const read = readCredentialText(text.trim());
      if (read.kind === 'plain') {
        onUnlocked({ pair: read.pair, plain: true });
        return;
      }
      setFraction(0);
      const opened = await openCredential(read.file, passphrase, setFraction);
      keepCredential(text.trim());
      onUnlocked({ pair: { publicKey: opened.publicKey, secretKey: opened.secretKey }, plain: false });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} data-testid="unlock-credential">
      <Stack gap="sm">
        {kept ? (
          <Text size="sm">{t('credential.stored', { key: shortHex(kept.publicKey) })}</Text>
        ) : (
          <>
            <div
              className="drop-zone"
              data-over={over}
              onDragOver={(event) => {
                event.preventDefault();
                setOver(true);
              }}
              onDragLeave={() => setOver(false)}
              onDrop={(event) => {
                event.preventDefault();
                setOver(false);
                void takeFile(event.dataTransfer.files[0] ?? null);
              }}
            >
              <FileInput
                label={t('credential.fileLabel')}
                placeholder={t('credential.filePlaceholder')}
                value={file}
                onChange={(chosen) => void takeFile(chosen)}
                accept=".json,.txt,application/json,text/plain"
                clearable
                data-testid="unlock-file"
              />
              <Text size="xs" c="dimmed" mt={4}>
                {t('credential.drop')}
              </Text>
            </div>
            <Textarea
              label={t('credential.pasteLabel')}
              value={text}
              onChange={(event) => {
                setText(event.currentTarget.value);
                try {
                  setNeedsPassphrase(readCredentialText(event.currentTarget.value.trim()).kind === 'sealed');
                } catch {
                  setNeedsPassphrase(true);
                }
              }}
              autosize
              minRows={2}
              maxRows={6}
              maxLength={CREDENTIAL_TEXT_MAX}
              spellCheck={false}
              className="mono"
              data-testid="unlock-text"
            />
          </>
        )}
        {needsPassphrase ? (
          <PasswordInput
            label={t('credential.passphrase')}
            value={passphrase}
            onChange={(event) => setPassphrase(event.currentTarget.value)}
            autoComplete="current-password"
            data-testid="unlock-passphrase"
          />
        ) : null}
        {busy ? <KdfProgress label={t('credential.opening')} fraction={fraction} /> : null}
        {error ? <ErrorAlert error={error} /> : null}
        <Group>
          <Button type="submit" disabled={busy} data-testid="unlock-submit">
            {t('credential.unlock')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The credential step until a key pair is unlocked. */
export function CredentialStep({
  election,
  onUnlocked,
}: {
  election: string;
  onUnlocked: (unlocked: Unlocked) => void;
}) {
  const { t } = useT();
  const [mode, setMode] = useState<'make' | 'unlock' | { kept: KeptCredential } | undefined>();
  const [kept, setKept] = useState(keptCredentials);
  const [made, setMade] = useState<{ unlocked: Unlocked; text: string }>();

  if (made)
    return (
      <Stack gap="sm" data-testid="credential-made">
        <Alert color="green" variant="light" role="status">
          {t('credential.made')}
        </Alert>
        <PublicKeyCard publicKey={made.unlocked.pair.publicKey} />
        <Text size="sm">{t('credential.downloadHint')}</Text>
        <Group>
          <Button
            variant="light"
            onClick={() => download(`credential-${made.unlocked.pair.publicKey.slice(0, 8)}.json`, made.text)}
            data-testid="credential-download"
          >
            {t('credential.download')}
          </Button>
          <Button onClick={() => onUnlocked(made.unlocked)} data-testid="credential-continue">
            {t('credential.roll.recheck')}
          </Button>
        </Group>
      </Stack>
    );

  return (
    <Stack gap="md">
      <Text size="sm">{t('credential.intro')}</Text>
      {kept.map((entry) => (
        <Group key={entry.publicKey} gap="xs" data-testid="kept-credential">
          <Text size="sm" className="mono">
            {shortHex(entry.publicKey)}
          </Text>
          <Button size="xs" variant="light" onClick={() => setMode({ kept: entry })} data-testid="kept-unlock">
            {t('credential.unlockStored')}
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="red"
            onClick={() => {
              forgetCredential(entry.publicKey);
              setKept(keptCredentials());
              setMode(undefined);
            }}
          >
            {t('credential.forget')}
          </Button>
        </Group>
      ))}
      <Group>
        <Button
          variant={mode === 'make' ? 'filled' : 'light'}
          onClick={() => setMode('make')}
          data-testid="credential-make"
        >
          {t('credential.make')}
        </Button>
        <Button
          variant={mode === 'unlock' ? 'filled' : 'light'}
          onClick={() => setMode('unlock')}
          data-testid="credential-have"
        >
          {t('credential.have')}
        </Button>
      </Group>
      {mode === 'make' ? (
        <>
          <Title order={3} size="h5">
            {t('credential.make')}
          </Title>
          <MakeCredential election={election} onMade={(unlocked, text) => setMade({ unlocked, text })} />
        </>
      ) : null}
      {mode === 'unlock' ? <UnlockCredential onUnlocked={onUnlocked} /> : null}
      {typeof mode === 'object' ? (
        <UnlockCredential key={mode.kept.publicKey} kept={mode.kept} onUnlocked={onUnlocked} />
      ) : null}
    </Stack>
  );
}
