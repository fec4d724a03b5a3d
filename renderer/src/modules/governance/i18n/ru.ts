// Русский: the governance module's strings (the type checker holds them to en.ts's keys).
import type { Translation } from '../../../i18n/merge.js';
import type { en } from './en.js';

export const ru: Translation<typeof en> = {
  reject: {
    PARAM_OUT_OF_RANGE: 'Параметр сети вне допустимых пределов.',
    PARAMS_BELOW_VALIDATORS: 'Наибольшее число валидаторов стало бы меньше числа назначенных сейчас.',
    UPGRADE_NOT_NEWER: 'Сеть уже работает на этой или более новой версии протокола.',
    UPGRADE_TOO_SOON: 'Высота обновления слишком близка: офисам нужно время, чтобы установить новую версию.',
    UPGRADE_SCHEDULED: 'Уже назначено другое обновление. Сначала отмените его.',
    NO_SUCH_UPGRADE: 'Такое обновление не назначено.',
  },
  txType: {
    'governance.upgrade': 'Назначено обновление протокола',
    'governance.params': 'Изменены параметры сети',
  },
};
