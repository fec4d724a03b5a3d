// Reading a certificate's QR code: the phone's camera or a photo or image file of it (the shared
// scanner, renderer/common/qrScanner.tsx). The code's raw bytes go to `onCode` (a compact proof
// is binary, so jsQR's binaryData, not its text).
import { Alert, Box, FileInput, Group, Stack } from '@mantine/core';
import { IconPhoto } from '@tabler/icons-react';
import { CameraButton, CameraView, useQrScanner, type PhotoProblem } from '../common/qrScanner.js';
import { useT, type VerifyT } from './i18n/index.js';

const IMAGE_BYTES_MAX = 20 * 1024 * 1024;

function photoSentence(t: VerifyT, problem: PhotoProblem): string {
  return t(problem.kind === 'noCode' ? 'check.imageNoCode' : 'check.imageUnreadable', { name: problem.name });
}

export function Scanner({ onCode, disabled }: { onCode: (bytes: Uint8Array) => void; disabled: boolean }) {
  const { t } = useT();
  const scanner = useQrScanner({
    onCode: (code) => onCode(Uint8Array.from(code.binaryData)),
    imageBytesMax: IMAGE_BYTES_MAX,
  });

  return (
    <Stack gap="sm" data-testid="scanner" data-camera={scanner.camera}>
      <Group>
        <CameraButton
          scanner={scanner}
          disabled={disabled}
          labels={{ start: t('check.cameraStart'), stop: t('check.cameraStop') }}
          testids={{ start: 'camera-start', stop: 'camera-stop' }}
        />
      </Group>
      <Box data-testid="check-image" maw={420}>
        <FileInput
          label={t('check.image')}
          placeholder={t('check.filePlaceholder')}
          accept="image/*"
          onChange={(file) => void scanner.readPhoto(file)}
          leftSection={<IconPhoto size={16} aria-hidden />}
          disabled={disabled}
        />
      </Box>
      <CameraView
        scanner={scanner}
        labels={{
          view: t('check.cameraView'),
          hint: t('check.cameraHint'),
          denied: t('check.cameraDenied'),
          none: t('check.cameraNone'),
        }}
        testid="camera-video"
      />
      {scanner.photoProblem ? (
        <Alert color="red" variant="light" role="alert" data-testid="image-problem">
          {photoSentence(t, scanner.photoProblem)}
        </Alert>
      ) : null}
    </Stack>
  );
}
