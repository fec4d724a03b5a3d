// The verification page: a header with the language switch, three sections (hash routes
// #/check, #/checkpoints, #/registry) and the one registry state they share. Until a registry
// is trusted the page opens on #/registry; after, on #/check.
import { Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { PageHeader } from '../common/PageHeader.js';
import { useHashRoute } from '../common/useHash.js';
import { CheckSection } from './Check.js';
import { CheckpointsSection } from './Checkpoints.js';
import { currentLanguage, setLanguage, useT } from './i18n/index.js';
import { useRegistry } from './registry.js';
import { TrustSection } from './Trust.js';
import { Loading } from './ui.js';

const SECTIONS = ['check', 'checkpoints', 'registry'] as const;
type Section = (typeof SECTIONS)[number];

function sectionOf(hash: string): Section | undefined {
  const name = /^#\/([a-z]+)$/.exec(hash)?.[1];
  return SECTIONS.find((candidate) => candidate === name);
}

const NAV_LABEL = { check: 'nav.check', checkpoints: 'nav.checkpoints', registry: 'nav.trust' } as const;

export function VerifyApp() {
  const { t } = useT();
  const [state, actions] = useRegistry();
  const chosen = useHashRoute(sectionOf);
  // with no section in the address: where the page opened (importing the registry stays there)
  const [opened, setOpened] = useState<Section>();
  useEffect(() => {
    if (opened === undefined && state.status !== 'loading') setOpened(state.status === 'ready' ? 'check' : 'registry');
  }, [opened, state.status]);
  const section: Section = chosen ?? opened ?? 'registry';
  return (
    <div className="public-page">
      <PageHeader
        heading={t('app.heading')}
        sections={SECTIONS}
        current={section}
        label={(name) => t(NAV_LABEL[name])}
        language={currentLanguage()}
        setLanguage={setLanguage}
      />
      <main
        id="main-content"
        tabIndex={-1}
        style={{ marginTop: 16, outline: 'none' }}
        data-testid="verify-main"
        data-state={state.status}
        data-held={state.status === 'ready' ? state.registry.held.length : 0}
      >
        <Stack gap="md">
          {state.status === 'loading' ? <Loading /> : null}
          {state.status !== 'loading' && section === 'registry' ? (
            <TrustSection state={state} actions={actions} />
          ) : null}
          {state.status !== 'loading' && section === 'checkpoints' ? (
            <CheckpointsSection state={state} actions={actions} />
          ) : null}
          {state.status !== 'loading' && section === 'check' ? <CheckSection state={state} /> : null}
        </Stack>
      </main>
      <footer style={{ marginTop: 24 }}>
        <Text size="xs" c="dimmed">
          {t('app.offline')}
        </Text>
      </footer>
    </div>
  );
}
