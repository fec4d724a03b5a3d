// The head of the public pages (the voter's page, the verification page): a skip link to
// `#main-content`, the heading with the language switch, and the sections as hash links, the
// current one marked. Texts from the page's own i18next instance: `app.skip`, `app.nav`,
// `app.language`.
import { Anchor, Group, Select, Title } from '@mantine/core';
import { LANGUAGES, useCommonT, type Language } from './i18n.js';

function LanguageSelect({ value, onChange }: { value: Language; onChange: (language: Language) => void }) {
  const t = useCommonT();
  return (
    <Select
      aria-label={t('app.language')}
      data={LANGUAGES.map((language) => ({ value: language.code, label: language.label }))}
      value={value}
      onChange={(chosen) => chosen && onChange(chosen as Language)}
      allowDeselect={false}
      w={140}
      size="xs"
      data-testid="language"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function PageHeader<Section extends string>({
  heading,
  sections,
  current,
  label,
  language,
  setLanguage,
}: {
  heading: string;
  sections: readonly Section[];
  current: Section;
  /** A section's link text. */
  label: (section: Section) => string;
  language: Language;
  setLanguage: (language: Language) => void;
}) {
  const t = useCommonT();
  return (
    <>
      <a
        href="#main-content"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main-content')?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <header>
        <Group justify="space-between" align="center" wrap="wrap" gap="xs">
          <Title order={1} size="h3">
            {heading}
          </Title>
          <LanguageSelect value={language} onChange={setLanguage} />
        </Group>
        <nav aria-label={t('app.nav')} className="page-nav" style={{ marginTop: 8 }}>
          {sections.map((section) => (
            <Anchor
              key={section}
              href={`#/${section}`}
              aria-current={current === section ? 'page' : undefined}
              data-testid={`nav-${section}`}
            >
              {label(section)}
            </Anchor>
          ))}
        </nav>
      </header>
    </>
  );
}
