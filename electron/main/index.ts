// Electron main (DESIGN §3): lifecycle, one window, the menu and the IPC wiring. Thin: the
// node runs in this process (electron/node), the window shows dist/renderer from app://.
import { app, BrowserWindow, ipcMain, Menu, protocol, session, shell } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataFiles } from '../node/config.js';
import { DEV_PASSPHRASE_FILE, ensureDevNode } from '../node/dev/dev-node.js';
import { NotaryNode } from '../node/node.js';
import { appProtocolHandler } from './app-protocol.js';
import { registerIpc } from './ipc.js';
import { menuTemplate } from './menu.js';
import { APP_ENTRY, APP_SCHEME, hardenContents, hardenSession, windowOptions } from './security.js';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

let node: NotaryNode | undefined;
let window: BrowserWindow | undefined;
let starting: Promise<void> | undefined;

const root = app.getAppPath();
const dataDir = process.env.NOTARY_DATA ?? join(app.getPath('userData'), 'node');

async function startNode(passphrase: string | undefined): Promise<void> {
  starting ??= (async () => {
    try {
      node = await NotaryNode.start({ dataDir, ...(passphrase === undefined ? {} : { passphrase }), uiDir: null });
      ipc.attachEvents(node);
    } finally {
      starting = undefined;
    }
  })();
  await starting;
}

const ipc = registerIpc(ipcMain, {
  node: () => node,
  contents: () => window?.webContents,
  unlock: (passphrase) => startNode(passphrase),
});

function createWindow(): void {
  window = new BrowserWindow(windowOptions(join(root, 'dist/electron/preload/index.cjs')));
  hardenContents(window.webContents, (url) => void shell.openExternal(url));
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = undefined));
  void window.loadURL(APP_ENTRY);
}

app.whenReady().then(
  async () => {
    hardenSession(session.defaultSession);
    protocol.handle(APP_SCHEME, appProtocolHandler(join(root, 'dist/renderer')));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          platform: process.platform,
          openDataFolder: () => void shell.openPath(dataDir),
          openApiDocs: () => void shell.openExternal(node ? `${node.apiUrl}/api/v1/openapi.json` : 'about:blank'),
          reload: () => window?.webContents.reload(),
        }),
      ),
    );
    // First run with no data folder: the demo registry (a dev chain), as `npm start` does.
    // A real office runs `notary init` into the data folder first, and unlocks in the window.
    const { passphrase } =
      existsSync(join(dataDir, DataFiles.config)) && !existsSync(join(dataDir, DEV_PASSPHRASE_FILE))
        ? { passphrase: undefined }
        : await ensureDevNode(dataDir);
    createWindow();
    if (passphrase !== undefined || !existsSync(join(dataDir, DataFiles.signingKeystore))) await startNode(passphrase);
  },
  (error: unknown) => {
    console.error(`notary: ${(error as Error).message}`);
    app.exit(1);
  },
);

app.on('window-all-closed', () => {
  void (async () => {
    await starting?.catch(() => undefined);
    await node?.stop();
    app.quit();
  })();
});
