// The real Electron main module and the real preload bundle, run against a stand-in for the
// Electron API (this machine cannot run the Electron binary): the window and session follow
// the security checklist, the renderer comes from app:// (never a dev server), the node runs
// in-process and answers the window over IPC, and nothing else reaches the page.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_METHOD_NAMES } from '../../shared/api/index.js';
import { ipcStandIn } from '../support/ipc-standin.js';

const root = resolve(import.meta.dirname, '../..');

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Array<(...args: unknown[]) => unknown>>();
  let ready!: () => void;
  const whenReady = new Promise<void>((resolvePromise) => (ready = resolvePromise));
  const state = {
    windows: [] as Array<{ options: Record<string, unknown>; url?: string; contents: ReturnType<typeof makeContents> }>,
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    privileged: [] as unknown[],
    sandboxEnabled: false,
    permissionRequest: undefined as undefined | ((...args: unknown[]) => void),
    permissionCheck: undefined as undefined | ((...args: unknown[]) => boolean),
    devicePermission: undefined as undefined | ((...args: unknown[]) => boolean),
    menu: undefined as unknown,
    quit: false,
    dataDir: '',
    ipcMain: undefined as unknown,
    ready: () => ready(),
    emitApp: async (event: string) => {
      for (const listener of listeners.get(event) ?? []) await listener();
    },
  };
  function makeContents() {
    const handlers = new Map<string, Array<(...args: unknown[]) => void>>();
    const sent: Array<[string, unknown]> = [];
    return {
      sent,
      handlers,
      windowOpen: undefined as undefined | ((details: { url: string }) => { action: string }),
      on(event: string, handler: (...args: unknown[]) => void) {
        handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      },
      setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
        this.windowOpen = handler;
      },
      send(channel: string, payload: unknown) {
        sent.push([channel, payload]);
      },
      isDestroyed: () => false,
      reload() {},
    };
  }
  class BrowserWindow {
    webContents = makeContents();
    record: { options: Record<string, unknown>; url?: string; contents: ReturnType<typeof makeContents> };
    constructor(options: Record<string, unknown>) {
      this.record = { options, contents: this.webContents };
      state.windows.push(this.record);
    }
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      this.record.url = url;
      return Promise.resolve();
    }
  }
  const electron = {
    app: {
      getAppPath: () => state.dataDir && (globalThis as unknown as { __root: string }).__root,
      getPath: () => state.dataDir,
      enableSandbox: () => (state.sandboxEnabled = true),
      whenReady: () => whenReady,
      on: (event: string, listener: () => unknown) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
      quit: () => (state.quit = true),
      exit: () => (state.quit = true),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privileged.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) =>
        state.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: (...args: unknown[]) => void) => (state.permissionRequest = handler),
        setPermissionCheckHandler: (handler: (...args: unknown[]) => boolean) => (state.permissionCheck = handler),
        setDevicePermissionHandler: (handler: (...args: unknown[]) => boolean) => (state.devicePermission = handler),
      },
    },
    BrowserWindow,
    get ipcMain() {
      return state.ipcMain;
    },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => (state.menu = menu),
    },
    shell: { openExternal: () => Promise.resolve(), openPath: () => Promise.resolve('') },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const ipc = ipcStandIn();
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'notary-electron-'));
  (globalThis as unknown as { __root: string }).__root = root;
  fake.state.dataDir = dataDir;
  fake.state.ipcMain = ipc.ipcMain;
  process.env.NOTARY_DATA = join(dataDir, 'node');
  process.env.NOTARY_LOG_LEVEL = 'silent';
  await import('../../electron/main/index.js');
  fake.state.ready();
  // the node starts in-process on a first-run dev chain; the window is created first
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (fake.state.windows.length === 0) continue;
    ipc.fromFrame({ url: 'app://notary/index.html', parent: null }, fake.state.windows[0]!.contents as never);
    const answer = (await ipc.ipcRenderer.invoke('notary:api', 'status', {})) as { status: number };
    if (answer.status === 200) break;
  }
}, 60_000);

afterAll(async () => {
  await fake.state.emitApp('window-all-closed');
  await rm(dataDir, { recursive: true, force: true });
  delete process.env.NOTARY_DATA;
});

describe('Electron main', () => {
  it('opens one window with the security checklist options and a preload that exists', () => {
    expect(fake.state.sandboxEnabled).toBe(true);
    expect(fake.state.windows).toHaveLength(1);
    const prefs = fake.state.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
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
    });
    expect(prefs.preload).toBe(join(root, 'dist/electron/preload/index.cjs'));
    expect(existsSync(prefs.preload as string)).toBe(true);
    expect(fake.state.menu).toBeDefined();
  });

  it('loads the renderer from app:// (never a dev server) with a strict content security policy, confined to dist/renderer', async () => {
    expect(fake.state.windows[0]!.url).toBe('app://notary/index.html');
    expect(fake.state.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    const handler = fake.state.protocolHandlers.get('app')!;
    const index = await handler({ url: 'app://notary/index.html' });
    expect(index.status).toBe(200);
    expect(await index.text()).toBe(await readFile(join(root, 'dist/renderer/index.html'), 'utf8'));
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect((await handler({ url: 'app://notary/%2e%2e/%2e%2e/package.json' })).status).toBe(404);
    expect((await handler({ url: 'app://notary/..%2fpackage.json' })).status).toBe(404);
    expect((await handler({ url: 'app://elsewhere/index.html' })).status).toBe(404);
  });

  it('denies every permission, navigation away, new windows and webviews', () => {
    let granted: boolean | undefined;
    fake.state.permissionRequest!({}, 'media', (allow: boolean) => (granted = allow));
    expect(granted).toBe(false);
    expect(fake.state.permissionCheck!({}, 'notifications')).toBe(false);
    expect(fake.state.devicePermission!({})).toBe(false);
    const contents = fake.state.windows[0]!.contents;
    const navigate = (event: string, url: string) => {
      let prevented = false;
      for (const handler of contents.handlers.get(event) ?? [])
        handler({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('will-navigate', 'https://attacker.example/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', 'app://notary/index.html#/registry')).toBe(false);
    expect(navigate('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(navigate('will-attach-webview', 'app://notary/')).toBe(true);
    expect(contents.windowOpen!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpen!({ url: 'app://notary/index.html' })).toEqual({ action: 'deny' });
  });

  it('runs the node in-process: the window gets answers and live events over IPC; other senders get 403', async () => {
    const answer = (await ipc.ipcRenderer.invoke('notary:api', 'status', {})) as {
      status: number;
      body: { role: string; chainId: string };
    };
    expect(answer).toMatchObject({ status: 200, body: { role: 'notary', chainId: 'by-registry-dev' } });
    const contents = fake.state.windows[0]!.contents;
    for (
      const deadline = Date.now() + 10_000;
      !contents.sent.some(([channel]) => channel === 'notary:event') && Date.now() < deadline;
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(contents.sent.find(([channel]) => channel === 'notary:event')).toBeDefined();
    ipc.fromFrame({ url: 'app://notary/index.html', parent: null }, {} as never);
    expect(await ipc.ipcRenderer.invoke('notary:api', 'status', {})).toMatchObject({ status: 403 });
    ipc.fromFrame({ url: 'app://notary/index.html', parent: null }, contents as never);
  });
});

describe('the preload bundle', () => {
  it('exposes only window.notary: one function per API method, onEvent and unlock; no ipcRenderer, no Node', async () => {
    const code = await readFile(join(root, 'dist/electron/preload/index.cjs'), 'utf8');
    const exposed: Array<[string, Record<string, unknown>]> = [];
    const electron = {
      contextBridge: {
        exposeInMainWorld: (name: string, value: Record<string, unknown>) => exposed.push([name, value]),
      },
      ipcRenderer: ipc.ipcRenderer,
    };
    const required: string[] = [];
    const module = { exports: {} };
    runInNewContext(code, {
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name === 'electron') return electron;
        throw new Error(`the preload must not require ${name}`);
      },
    });
    expect(required).toEqual(['electron']);
    expect(exposed.map(([name]) => name)).toEqual(['notary']);
    const bridge = exposed[0]![1] as { api: Record<string, unknown> };
    expect(Object.keys(bridge).sort()).toEqual(['api', 'onEvent', 'unlock']);
    expect(Object.keys(bridge.api).sort()).toEqual([...API_METHOD_NAMES].sort());
    expect(Object.values(bridge.api).every((fn) => typeof fn === 'function')).toBe(true);
  });
});
