// What the three pages' entries (src/main.tsx, voter/main.tsx, verify/main.tsx) start alike:
// zod without compiled validators, the Mantine theme, and the mounting of the page on #root with
// its own i18next instance and the theme. (TanStack Query's client is in query.ts: the
// verification page does without it.)
import { createTheme, MantineProvider, type MantineThemeOverride } from '@mantine/core';
import type { i18n as I18n } from 'i18next';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';

// The pages run under script-src 'self': zod must not compile validators with new Function.
z.config({ jitless: true });

export function pageTheme(overrides: MantineThemeOverride = {}) {
  return createTheme({
    primaryColor: 'indigo',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
    fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    focusRing: 'auto',
    ...overrides,
  });
}

/** Renders the page into `#root` of `html` (named in the error when it has none). */
export function mountPage(
  html: string,
  { i18n, theme, children }: { i18n: I18n; theme: MantineThemeOverride; children: ReactNode },
): void {
  const root = document.getElementById('root');
  if (!root) throw new Error(`${html} has no #root`);
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <MantineProvider theme={theme} defaultColorScheme="light">
          {children}
        </MantineProvider>
      </I18nextProvider>
    </StrictMode>,
  );
}
