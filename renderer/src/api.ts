// The one way this UI reaches the node: the API contract of shared/api over either transport,
// Electron IPC (window.notary from the preload) or HTTP with the bearer token.
import { apiClient, httpTransport, ipcTransport, type ApiClient, type NotaryBridge } from '../../shared/api/index.js';

declare global {
  interface Window {
    notary?: NotaryBridge;
  }
}

const TOKEN_KEY = 'notary.apiToken';
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Takes `#token=<hex>` from the address the node printed, keeps it for this tab only
 * (sessionStorage) and removes it from the address bar and history.
 */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/overview`);
    return match[1];
  }
  const stored = sessionStorage.getItem(TOKEN_KEY);
  return stored !== null && TOKEN_PATTERN.test(stored) ? stored : null;
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export type Connection =
  | { kind: 'electron'; client: ApiClient; bridge: NotaryBridge }
  | { kind: 'http'; client: ApiClient; token: string; baseUrl: string }
  | { kind: 'no-token' };

export function connect(): Connection {
  const bridge = window.notary;
  if (bridge) return { kind: 'electron', client: apiClient(ipcTransport(bridge)), bridge };
  const token = takeToken();
  if (!token) return { kind: 'no-token' };
  const baseUrl = window.location.origin;
  return { kind: 'http', client: apiClient(httpTransport({ baseUrl, token })), token, baseUrl };
}
