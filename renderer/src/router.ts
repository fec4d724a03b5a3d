// A tiny hash router: #/screen/part/part. No dependency, works from file:// and custom protocols.
import { useEffect, useState } from 'react';

export const SCREENS = ['overview', 'certify', 'registry', 'network', 'explorer', 'governance', 'settings'] as const;
export type ScreenName = (typeof SCREENS)[number];

export interface Route {
  screen: ScreenName | 'print';
  parts: string[];
  /** After `?` in the hash: `#/registry?q=BY-7-0001`. */
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.split('?', 2);
  const query = new URLSearchParams(search);
  const segments = path
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part.length > 0)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  const [first, ...parts] = segments;
  if (first === 'print') return { screen: 'print', parts, query };
  const screen = SCREENS.find((name) => name === first) ?? 'overview';
  return { screen, parts: screen === first ? parts : [], query };
}

export function href(screen: ScreenName | 'print', ...parts: (string | number)[]): string {
  return `#/${[screen, ...parts.map((part) => encodeURIComponent(String(part)))].join('/')}`;
}

export function navigate(screen: ScreenName | 'print', ...parts: (string | number)[]): void {
  window.location.hash = href(screen, ...parts);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
