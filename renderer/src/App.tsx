// The shell: header (connection, live feed, language), navigation, and the current screen.
import { AppShell, Badge, Burger, Group, NavLink, Text, Title, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBuildingBank } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { forgetToken } from './api.js';
import { LanguageSwitch } from './components/LanguageSwitch.js';
import { useConnection, useLiveEvents, useStatus } from './data.js';
import { href, useRoute, type ScreenName } from './router.js';
import { PRINTS, SCREEN_NAMES, SCREENS } from './screens/index.js';
import { clockOffsetAmount } from './screens/network/ClockOff.js';
import { NoToken } from './screens/NoToken.js';
import { Unlock } from './screens/Unlock.js';

function ConnectionBadges() {
  const { t } = useTranslation();
  const status = useStatus();
  const live = useLiveEvents();
  return (
    <Group gap="xs" wrap="nowrap">
      {status.data ? (
        <Badge
          color={status.data.damaged ? 'red' : status.data.online ? 'green' : 'orange'}
          variant="filled"
          data-testid="header-online"
          data-online={String(status.data.online)}
        >
          {status.data.damaged ? t('app.damaged') : status.data.online ? t('app.online') : t('app.offline')} ·{' '}
          {t('app.height', { height: status.data.height })}
        </Badge>
      ) : null}
      {status.data?.clock.state === 'off' && status.data.clock.offsetMs !== null ? (
        <Badge color="red" variant="light" data-testid="header-clock-off">
          {t('app.clockOff', { amount: clockOffsetAmount(status.data.clock.offsetMs) })}
        </Badge>
      ) : null}
      {status.data && status.data.disk.state !== 'ok' ? (
        <Badge color="red" variant="light" data-testid="header-disk" data-state={status.data.disk.state}>
          {t(`app.disk.${status.data.disk.state}`)}
        </Badge>
      ) : null}
      <Tooltip
        label={
          live === 'live' ? t('app.liveFeed') : live === 'connecting' ? t('app.liveConnecting') : t('app.liveDown')
        }
      >
        <Badge
          color={live === 'live' ? 'teal' : 'gray'}
          variant="dot"
          tabIndex={0}
          data-testid="header-live"
          data-live={live}
        >
          {live === 'live' ? t('app.liveFeed') : t('app.livePolling')}
        </Badge>
      </Tooltip>
    </Group>
  );
}

/** Desktop: until the keystore is unlocked every call answers NODE_LOCKED; show the unlock form. */
export function App() {
  const connection = useConnection();
  const status = useStatus();
  if (connection.kind === 'electron' && !status.data && status.error?.code === 'NODE_LOCKED')
    return <Unlock bridge={connection.bridge} />;
  // a token from an earlier session that this node does not accept: ask for the printed address again
  if (connection.kind === 'http' && status.error?.code === 'UNAUTHORIZED') {
    forgetToken();
    return <NoToken />;
  }
  return <Shell />;
}

function Shell() {
  const { t } = useTranslation();
  const route = useRoute(SCREEN_NAMES);
  const [opened, { toggle, close }] = useDisclosure(false);
  useEffect(() => {
    close();
    document.getElementById('main-content')?.focus({ preventScroll: true });
  }, [route.screen, close]);

  if (route.screen === 'print') {
    const [kind, id] = route.parts;
    const Print = kind ? PRINTS.get(kind) : undefined;
    if (Print && id) return <Print id={id} />;
  }
  const screen: ScreenName = route.screen === 'print' ? 'overview' : route.screen;
  const Current = SCREENS.find((candidate) => candidate.name === screen)?.component;

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a
        href="#main-content"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main-content')?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('app.openMenu')} />
            <IconBuildingBank size={28} aria-hidden />
            <div>
              <Title order={2} size="h4" lh={1.1}>
                {t('app.title')}
              </Title>
              <Text size="xs" c="dimmed" visibleFrom="md">
                {t('app.subtitle')}
              </Text>
            </div>
          </Group>
          <Group gap="md" wrap="nowrap">
            <ConnectionBadges />
            <LanguageSwitch testid="header-language" compact />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('app.navigation')}>
        {SCREENS.map(({ name, icon: Icon }) => {
          return (
            <NavLink
              key={name}
              href={href(name)}
              label={t(`nav.${name}`)}
              leftSection={<Icon size={18} aria-hidden />}
              active={screen === name}
              aria-current={screen === name ? 'page' : undefined}
              data-testid={`nav-${name}`}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main id="main-content" tabIndex={-1} className="main-content">
        {Current ? <Current parts={route.parts} query={route.query} /> : null}
      </AppShell.Main>
    </AppShell>
  );
}
