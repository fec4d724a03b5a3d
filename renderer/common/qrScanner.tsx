// Reading a QR code with the device's camera (jsQR on video frames drawn to a canvas) or from a
// photo or image file of it: one hook and its controls for every page that scans (the
// verification page's certificates, the commission's desk reading voters' credentials). The code
// goes to `onCode` whole (jsQR's text and raw bytes: each caller takes what it reads); the camera
// reports the same code once, not at every frame.
import { Alert, Button, Text } from '@mantine/core';
import { IconCamera, IconCameraOff } from '@tabler/icons-react';
import jsQR, { type QRCode } from 'jsqr';
import { useEffect, useRef, useState } from 'react';

const SCAN_EVERY_MS = 200;
/** A code held in front of the camera is reported again only after this long. */
const SAME_CODE_QUIET_MS = 4_000;
/** Larger photos are scaled down first: jsQR's time grows with the pixels. */
const IMAGE_SIDE_MAX = 1_600;

/** The first QR code in an image, or null. */
function decodeImage(
  canvas: HTMLCanvasElement,
  source: CanvasImageSource,
  width: number,
  height: number,
): QRCode | null {
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
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
}

const sameBytes = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

export type CameraState = 'off' | 'starting' | 'on' | 'denied' | 'none';
export type CodeSource = 'camera' | 'photo';
/** Why a photo gave no code; the page words it. */
export type PhotoProblem = { kind: 'tooLarge' | 'unreadable' | 'noCode'; name: string };

export type QrScanner = ReturnType<typeof useQrScanner>;

export function useQrScanner({
  onCode,
  imageBytesMax,
  offWhile = false,
}: {
  onCode: (code: QRCode, source: CodeSource) => void;
  /** A photo larger than this is refused before it is decoded. */
  imageBytesMax: number;
  /** A running camera is switched off when this turns true (the screen stops taking codes). */
  offWhile?: boolean;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [camera, setCamera] = useState<CameraState>('off');
  const [photoProblem, setPhotoProblem] = useState<PhotoProblem | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const last = useRef<{ bytes: number[]; atMs: number } | null>(null);
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
      const code = decodeImage(canvas.current, element, element.videoWidth, element.videoHeight);
      if (code === null) return;
      const now = Date.now();
      const previous = last.current;
      if (previous && sameBytes(previous.bytes, code.binaryData) && now - previous.atMs < SAME_CODE_QUIET_MS) return;
      last.current = { bytes: code.binaryData, atMs: now };
      report.current(code, 'camera');
    }, SCAN_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [camera]);

  // the camera goes off with the screen
  useEffect(() => () => stream.current?.getTracks().forEach((track) => track.stop()), []);
  useEffect(() => {
    if (offWhile && stream.current) stop();
  }, [offWhile]);

  const readPhoto = async (file: File | null) => {
    setPhotoProblem(null);
    if (!file || !canvas.current) return;
    if (file.size > imageBytesMax) return setPhotoProblem({ kind: 'tooLarge', name: file.name });
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return setPhotoProblem({ kind: 'unreadable', name: file.name });
    }
    const code = decodeImage(canvas.current, bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    if (code === null) return setPhotoProblem({ kind: 'noCode', name: file.name });
    report.current(code, 'photo');
  };

  return { video, canvas, camera, photoProblem, start, stop, readPhoto };
}

/** The camera's on/off button. */
export function CameraButton({
  scanner,
  disabled,
  labels,
  testids,
}: {
  scanner: QrScanner;
  disabled: boolean;
  labels: { start: string; stop: string };
  testids: { start: string; stop: string };
}) {
  return scanner.camera === 'on' || scanner.camera === 'starting' ? (
    <Button
      variant="default"
      leftSection={<IconCameraOff size={16} aria-hidden />}
      onClick={scanner.stop}
      data-testid={testids.stop}
    >
      {labels.stop}
    </Button>
  ) : (
    <Button
      leftSection={<IconCamera size={16} aria-hidden />}
      onClick={() => void scanner.start()}
      disabled={disabled}
      data-testid={testids.start}
    >
      {labels.start}
    </Button>
  );
}

/** The camera's picture while it is on (and the hidden canvas frames are read on), or why it is not. */
export function CameraView({
  scanner,
  labels,
  testid,
  className,
}: {
  scanner: QrScanner;
  labels: { view: string; hint: string; denied: string; none: string };
  testid: string;
  className?: string;
}) {
  const { camera } = scanner;
  return (
    <>
      <video
        ref={scanner.video}
        muted
        playsInline
        className={className}
        aria-label={labels.view}
        hidden={camera !== 'on'}
        style={{ width: 320, maxWidth: '100%', borderRadius: 8, background: '#000' }}
        data-testid={testid}
      />
      <canvas ref={scanner.canvas} hidden aria-hidden />
      {camera === 'on' ? (
        <Text size="sm" c="dimmed">
          {labels.hint}
        </Text>
      ) : null}
      {camera === 'denied' || camera === 'none' ? (
        <Alert color="orange" variant="light" role="alert">
          {labels[camera]}
        </Alert>
      ) : null}
    </>
  );
}
