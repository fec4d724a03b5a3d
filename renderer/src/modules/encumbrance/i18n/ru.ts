// Русский: the encumbrance module's strings (the type checker holds them to en.ts's keys).
import type { Translation } from '../../../i18n/merge.js';
import type { en } from './en.js';

export const ru: Translation<typeof en> = {
  reject: {
    ENCUMBRANCE_EXISTS: 'Это обременение уже зарегистрировано.',
    UNKNOWN_ENCUMBRANCE: 'Такое обременение на объекте не зарегистрировано.',
    TOO_MANY_ENCUMBRANCES: 'На объекте уже максимальное число обременений.',
  },
  txType: {
    'encumbrance.add': 'Регистрация обременения',
    'encumbrance.release': 'Снятие обременения',
  },
  encumbranceKind: {
    mortgage: 'Ипотека',
    arrest: 'Арест',
  },
};
