// Reading a certificate's QR code: the phone's camera (jsQR on video frames drawn to a canvas) or
// a photo or image file of it. The code's raw bytes go to `onCode` (a compact proof is binary, so
// jsQR's binaryData, not its text); the camera reports the same code once, not at every frame.
import { Alert, Box, Button, FileInput, Group, Stack, Text } from '@mantine/core';
import { IconCamera, IconCameraOff, IconPhoto } from '@tabler/icons-react';
import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { useT } from './i18n/index.js';

const SCAN_EVERY_MS = 200;
/** A code held in front of the camera is reported again only after this long. */
const SAME_CODE_QUIET_MS = 4_000;
const IMAGE_BYTES_MAX = 20 * 1024 * 1024;
/** Larger photos are scaled down first: jsQR's time grows with the pixels. */
const IMAGE_SIDE_MAX = 1_600;

/** The bytes of the first QR code in an image, or null. */
function decodeImage(
  canvas: HTMLCanvasElement,
  source: CanvasImageSource,
  width: number,
  height: number,
): Uint8Array | null {
  const scale = Math.min(1, IMAGE_SIDE_MAX / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  // a transparent image (a PNG) reads as black on black without a white ground
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
  return found ? Uint8Array.from(found.binaryData) : null;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

type CameraState = 'off' | 'starting' | 'on' | 'denied' | 'none';

export function Scanner({ onCode, disabled }: { onCode: (bytes: Uint8Array) => void; disabled: boolean }) {
  const { t } = useT();
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [camera, setCamera] = useState<CameraState>('off');
  const [photoProblem, setPhotoProblem] = useState<string | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef<{ bytes: Uint8Array; atMs: number } | null>(null);
  const report = useRef(onCode);
  report.current = onCode;

  const stop = () => {
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setCamera('off');
  };

  const start = async () => {
    if (!navigator.mediaDevices?.getUserMedia) return setCamera('none');
    setCamera('starting');
    try {
      stream.current = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment' },
        audio: false,
      });
    } catch (error) {
      return setCamera((error as Error).name === 'NotFoundError' ? 'none' : 'denied');
    }
    if (video.current) {
      video.current.srcObject = stream.current;
      await video.current.play().catch(() => undefined);
    }
    setCamera('on');
  };

  useEffect(() => {
    if (camera !== 'on') return;
    const timer = window.setInterval(() => {
      const element = video.current;
      if (!element || !canvas.current || element.readyState < 2 || element.videoWidth === 0) return;
      const bytes = decodeImage(canvas.current, element, element.videoWidth, element.videoHeight);
      if (bytes === null) return;
      const now = Date.now();
      if (last.current && sameBytes(last.current.bytes, bytes) && now - last.current.atMs < SAME_CODE_QUIET_MS) return;
      last.current = { bytes, atMs: now };
      report.current(bytes);
    }, SCAN_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [camera]);

  // the camera goes off with the screen
  useEffect(() => () => stream.current?.getTracks().forEach((track) => track.stop()), []);

  const readPhoto = async (file: File | null) => {
    setPhotoProblem(null);
    if (!file || !canvas.current) return;
    if (file.size > IMAGE_BYTES_MAX) return setPhotoProblem(t('check.imageUnreadable', { name: file.name }));
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return setPhotoProblem(t('check.imageUnreadable', { name: file.name }));
    }
    const bytes = decodeImage(canvas.current, bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    if (bytes === null) return setPhotoProblem(t('check.imageNoCode', { name: file.name }));
    onCode(bytes);
  };

  return (
    <Stack gap="sm" data-testid="scanner" data-camera={camera}>
      <Group>
        {camera === 'on' || camera === 'starting' ? (
          <Button
            variant="default"
            leftSection={<IconCameraOff size={16} aria-hidden />}
            onClick={stop}
            data-testid="camera-stop"
          >
            {t('check.cameraStop')}
          </Button>
        ) : (
          <Button
            leftSection={<IconCamera size={16} aria-hidden />}
            onClick={() => void start()}
            disabled={disabled}
            data-testid="camera-start"
          >
            {t('check.cameraStart')}
          </Button>
        )}
      </Group>
      <Box data-testid="check-image" maw={420}>
        <FileInput
          label={t('check.image')}
          placeholder={t('check.filePlaceholder')}
          accept="image/*"
          onChange={(file) => void readPhoto(file)}
          leftSection={<IconPhoto size={16} aria-hidden />}
          disabled={disabled}
        />
      </Box>
      <video
        ref={video}
        muted
        playsInline
        aria-label={t('check.cameraView')}
        hidden={camera !== 'on'}
        style={{ width: 320, maxWidth: '100%', borderRadius: 8, background: '#000' }}
        data-testid="camera-video"
      />
      <canvas ref={canvas} hidden aria-hidden />
      {camera === 'on' ? (
        <Text size="sm" c="dimmed">
          {t('check.cameraHint')}
        </Text>
      ) : null}
      {camera === 'denied' || camera === 'none' ? (
        <Alert color="orange" variant="light" role="alert">
          {t(camera === 'denied' ? 'check.cameraDenied' : 'check.cameraNone')}
        </Alert>
      ) : null}
      {photoProblem ? (
        <Alert color="red" variant="light" role="alert" data-testid="image-problem">
          {photoProblem}
        </Alert>
      ) : null}
    </Stack>
  );
}
