// Беларуская: the governance module's strings (the type checker holds them to en.ts's keys).
import type { Translation } from '../../../i18n/merge.js';
import type { en } from './en.js';

export const be: Translation<typeof en> = {
  reject: {
    PARAM_OUT_OF_RANGE: 'Параметр сеткі па-за дапушчальнымі межамі.',
    PARAMS_BELOW_VALIDATORS: 'Найбольшая колькасць валідатараў стала б меншай за колькасць прызначаных цяпер.',
    UPGRADE_NOT_NEWER: 'Сетка ўжо працуе на гэтай ці навейшай версіі пратакола.',
    UPGRADE_TOO_SOON: 'Вышыня абнаўлення занадта блізкая: офісам патрэбны час, каб усталяваць новую версію.',
    UPGRADE_SCHEDULED: 'Ужо прызначана іншае абнаўленне. Спачатку адмяніце яго.',
    NO_SUCH_UPGRADE: 'Такое абнаўленне не прызначана.',
  },
  txType: {
    'governance.upgrade': 'Прызначана абнаўленне пратакола',
    'governance.params': 'Зменены параметры сеткі',
  },
};
