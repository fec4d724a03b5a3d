// The part of a page's address after #, read with `parse` and read again when it changes: the
// public pages' sections are hash routes (#/check, #/board/<tracker>).
import { useEffect, useState } from 'react';

export function useHashRoute<Route>(parse: (hash: string) => Route): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parse(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, [parse]);
  return route;
}
