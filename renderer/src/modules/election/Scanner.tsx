// Taking a voter's public credential: the camera reads the QR the voter's page shows (jsQR on
// frames of the video), or a photo or file of it, or the key typed or pasted. Each text goes to
// `onText`, which checks it; the camera reports the same code once, not at every frame.
import { Alert, Button, FileInput, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconCamera, IconCameraOff, IconPhoto } from '@tabler/icons-react';
import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EntrySource } from './deskStore.js';

const SCAN_EVERY_MS = 200;
/** A code held in front of the camera is reported again only after this long. */
const SAME_CODE_QUIET_MS = 4_000;
const IMAGE_BYTES_MAX = 15 * 1024 * 1024;
const IMAGE_SIDE_MAX = 1_600;

/** The text of the first QR code in an image, or null. */
function decodeImage(canvas: HTMLCanvasElement, source: CanvasImageSource, width: number, height: number) {
  const scale = Math.min(1, IMAGE_SIDE_MAX / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

type CameraState = 'off' | 'starting' | 'on' | 'denied' | 'none';

export function Scanner({
  onText,
  disabled,
}: {
  onText: (text: string, source: EntrySource) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [camera, setCamera] = useState<CameraState>('off');
  const [typed, setTyped] = useState('');
  const [photoProblem, setPhotoProblem] = useState<string | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef<{ text: string; atMs: number } | null>(null);
  const report = useRef(onText);
  report.current = onText;

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
      const text = decodeImage(canvas.current, element, element.videoWidth, element.videoHeight);
      if (text === null) return;
      const now = Date.now();
      if (last.current && last.current.text === text && now - last.current.atMs < SAME_CODE_QUIET_MS) return;
      last.current = { text, atMs: now };
      report.current(text, 'camera');
    }, SCAN_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [camera]);

  // the camera goes off with the screen
  useEffect(() => () => stream.current?.getTracks().forEach((track) => track.stop()), []);
  useEffect(() => {
    if (disabled && stream.current) stop();
  }, [disabled]);

  const readPhoto = async (file: File | null) => {
    setPhotoProblem(null);
    if (!file || !canvas.current) return;
    if (file.size > IMAGE_BYTES_MAX) return setPhotoProblem(t('errors.fileTooLarge'));
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return setPhotoProblem(t('elections.desk.photoUnreadable', { name: file.name }));
    }
    const text = decodeImage(canvas.current, bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    if (text === null) return setPhotoProblem(t('elections.desk.photoNoCode', { name: file.name }));
    onText(text, 'photo');
  };

  return (
    <Stack gap="sm" data-testid="desk-scanner" data-camera={camera}>
      <Group>
        {camera === 'on' || camera === 'starting' ? (
          <Button
            variant="default"
            leftSection={<IconCameraOff size={16} aria-hidden />}
            onClick={stop}
            data-testid="desk-camera-stop"
          >
            {t('elections.desk.cameraStop')}
          </Button>
        ) : (
          <Button
            leftSection={<IconCamera size={16} aria-hidden />}
            onClick={() => void start()}
            disabled={disabled}
            data-testid="desk-camera-start"
          >
            {t('elections.desk.cameraStart')}
          </Button>
        )}
        <FileInput
          aria-label={t('elections.desk.photo')}
          placeholder={t('elections.desk.photo')}
          accept="image/*"
          capture="environment"
          onChange={(file) => void readPhoto(file)}
          leftSection={<IconPhoto size={16} aria-hidden />}
          disabled={disabled}
          clearable
          clearButtonProps={{ 'aria-label': t('elections.clearFile') }}
          w={300}
          maw="100%"
          data-testid="desk-photo"
        />
      </Group>
      <video
        ref={video}
        muted
        playsInline
        className="desk-video"
        aria-label={t('elections.desk.cameraView')}
        hidden={camera !== 'on'}
        style={{ width: 320, maxWidth: '100%', borderRadius: 8, background: '#000' }}
        data-testid="desk-video"
      />
      <canvas ref={canvas} hidden aria-hidden />
      {camera === 'on' ? (
        <Text size="sm" c="dimmed">
          {t('elections.desk.cameraHint')}
        </Text>
      ) : null}
      {camera === 'denied' || camera === 'none' ? (
        <Alert color="orange" variant="light" role="alert">
          {t(`elections.desk.camera.${camera}`)}
        </Alert>
      ) : null}
      {photoProblem ? (
        <Alert color="red" variant="light" role="alert" data-testid="desk-photo-problem">
          {photoProblem}
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
