// The window's security settings (Electron's security checklist), as data and as handlers
// installed on a session and a webContents. Types only from Electron here, so the tests
// check them without the Electron binary.
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';

/** The renderer's origin: a custom, standard, secure scheme serving dist/renderer. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'notary';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: '#ffffff',
    title: 'Notary Network',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: process.env.NOTARY_DEVTOOLS === '1',
    },
  };
}

/** Whether a URL belongs to the app (the only origin allowed to call the node). */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** IPC sender check: the main frame of our window, showing an app:// page. */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  expected: WebContents | undefined,
  sender: WebContents,
): boolean {
  if (!frame || frame.parent !== null) return false; // subframes never talk to the node
  if (expected !== undefined && sender !== expected) return false;
  return isAppUrl(frame.url);
}

/** Every permission (camera, notifications, geolocation, ...) is refused: the registry needs none. */
export function hardenSession(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

type ContentsEvents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** No navigation away from the app, no new windows, no webviews, no redirects out. */
export function hardenContents(contents: ContentsEvents, openExternal?: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // an https link a notary clicks (e.g. the fee schedule) opens in the system browser, never in the app
    if (openExternal && url.startsWith('https://')) openExternal(url);
    return { action: 'deny' };
  });
}
