// A tiny hash router: #/screen/part/part. No dependency, works from file:// and custom protocols.
// The screens are the shell's and the UI modules' (screens/index.ts); each has a navigation label.
import { useEffect, useState } from 'react';
import type { Resource } from './i18n/en.js';

export type ScreenName = keyof Resource['nav'];

export interface Route {
  screen: ScreenName | 'print';
  parts: string[];
  /** After `?` in the hash: `#/registry?q=BY-7-0001`. */
  query: URLSearchParams;
}

/** The route of a hash, among the screens `screens` names; an unknown screen is the overview. */
export function parseHash(hash: string, screens: readonly ScreenName[]): Route {
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
  const screen = screens.find((name) => name === first) ?? 'overview';
  return { screen, parts: screen === first ? parts : [], query };
}

export function href(screen: ScreenName | 'print', ...parts: (string | number)[]): string {
  return `#/${[screen, ...parts.map((part) => encodeURIComponent(String(part)))].join('/')}`;
}

export function navigate(screen: ScreenName | 'print', ...parts: (string | number)[]): void {
  window.location.hash = href(screen, ...parts);
}

export function useRoute(screens: readonly ScreenName[]): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash, screens));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash, screens));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, [screens]);
  return route;
}
