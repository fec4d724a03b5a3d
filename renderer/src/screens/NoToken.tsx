import { Alert, Container, Stack, Text, Title } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../components/LanguageSwitch.js';

/** Shown over HTTP when the address carried no token and this tab has none stored. */
export function NoToken() {
  const { t } = useTranslation();
  return (
    <Container size="sm" py={80} component="main" data-testid="screen-no-token">
      <Stack gap="lg">
        <Title order={1}>{t('app.title')}</Title>
        <Alert color="indigo" variant="light" icon={<IconKey aria-hidden />} title={t('noToken.title')}>
          <Stack gap="xs">
            <Text>{t('noToken.body')}</Text>
            <Text size="sm" c="dimmed">
              {t('noToken.hint')}
            </Text>
          </Stack>
        </Alert>
        <LanguageSwitch testid="no-token-language" />
      </Stack>
    </Container>
  );
}
