// Taking a voter's public credential: the camera reads the QR the voter's page shows, or a photo
// or file of it (the shared scanner, renderer/common/qrScanner.tsx), or the key typed or pasted.
// Each text goes to `onText`, which checks it.
import { Alert, Button, FileInput, Group, Stack, TextInput } from '@mantine/core';
import { IconPhoto } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CameraButton, CameraView, useQrScanner, type PhotoProblem } from '../../../common/qrScanner.js';
import type { EntrySource } from './deskStore.js';

const IMAGE_BYTES_MAX = 15 * 1024 * 1024;

function photoSentence(t: TFunction, problem: PhotoProblem): string {
  if (problem.kind === 'tooLarge') return t('errors.fileTooLarge');
  return t(problem.kind === 'noCode' ? 'elections.desk.photoNoCode' : 'elections.desk.photoUnreadable', {
    name: problem.name,
  });
}

export function Scanner({
  onText,
  disabled,
}: {
  onText: (text: string, source: EntrySource) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const scanner = useQrScanner({
    onCode: (code, source) => onText(code.data, source),
    imageBytesMax: IMAGE_BYTES_MAX,
    offWhile: disabled,
  });

  return (
    <Stack gap="sm" data-testid="desk-scanner" data-camera={scanner.camera}>
      <Group>
        <CameraButton
          scanner={scanner}
          disabled={disabled}
          labels={{ start: t('elections.desk.cameraStart'), stop: t('elections.desk.cameraStop') }}
          testids={{ start: 'desk-camera-start', stop: 'desk-camera-stop' }}
        />
        <FileInput
          aria-label={t('elections.desk.photo')}
          placeholder={t('elections.desk.photo')}
          accept="image/*"
          capture="environment"
          onChange={(file) => void scanner.readPhoto(file)}
          leftSection={<IconPhoto size={16} aria-hidden />}
          disabled={disabled}
          clearable
          clearButtonProps={{ 'aria-label': t('elections.clearFile') }}
          w={300}
          maw="100%"
          data-testid="desk-photo"
        />
      </Group>
      <CameraView
        scanner={scanner}
        labels={{
          view: t('elections.desk.cameraView'),
          hint: t('elections.desk.cameraHint'),
          denied: t('elections.desk.camera.denied'),
          none: t('elections.desk.camera.none'),
        }}
        testid="desk-video"
        className="desk-video"
      />
      {scanner.photoProblem ? (
        <Alert color="red" variant="light" role="alert" data-testid="desk-photo-problem">
          {photoSentence(t, scanner.photoProblem)}
        </Alert>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (typed.trim() === '') return;
          onText(typed, 'typed');
          setTyped('');
        }}
      >
        <Group align="flex-end">
          <TextInput
            label={t('elections.desk.typed')}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            classNames={{ input: 'mono' }}
            disabled={disabled}
            w={560}
            maw="100%"
            maxLength={4096}
            data-testid="desk-typed"
          />
          <Button type="submit" variant="default" disabled={disabled} data-testid="desk-typed-add">
            {t('elections.desk.add')}
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
