import { Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES, setLanguage, type Language } from '../i18n/index.js';

export function LanguageSwitch({ testid, compact = false }: { testid: string; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  void i18n.language; // re-render on change
  return (
    <Select
      label={t('app.language')}
      labelProps={compact ? { className: 'visually-hidden' } : undefined}
      aria-label={compact ? t('app.language') : undefined}
      data={LANGUAGES.map((language) => ({ value: language.code, label: language.label }))}
      value={currentLanguage()}
      onChange={(value) => value && setLanguage(value as Language)}
      allowDeselect={false}
      w={compact ? 150 : 240}
      size={compact ? 'xs' : 'sm'}
      data-testid={testid}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
