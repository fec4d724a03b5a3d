// Беларуская: the encumbrance module's strings (the type checker holds them to en.ts's keys).
import type { Translation } from '../../../i18n/merge.js';
import type { en } from './en.js';

export const be: Translation<typeof en> = {
  reject: {
    ENCUMBRANCE_EXISTS: 'Гэтае абцяжаранне ўжо зарэгістраванае.',
    UNKNOWN_ENCUMBRANCE: 'Такое абцяжаранне на аб’екце не зарэгістраванае.',
    TOO_MANY_ENCUMBRANCES: 'На аб’екце ўжо максімальная колькасць абцяжаранняў.',
  },
  txType: {
    'encumbrance.add': 'Рэгістрацыя абцяжарання',
    'encumbrance.release': 'Зняцце абцяжарання',
  },
  encumbranceKind: {
    mortgage: 'Іпатэка',
    arrest: 'Арышт',
  },
};
