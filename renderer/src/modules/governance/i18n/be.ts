// Беларуская: the governance module's strings (the type checker holds them to en.ts's keys).
import type { Translation } from '../../../i18n/merge.js';
import type { en } from './en.js';

export const be: Translation<typeof en> = {
  reject: {
    NOT_YET_ENABLED: 'Такая аперацыя з’явіцца ў больш позняй версіі пратакола, чым дзейнічае ў сетцы цяпер.',
    PARAM_OUT_OF_RANGE: 'Параметр сеткі па-за дапушчальнымі межамі.',
    PARAMS_BELOW_VALIDATORS: 'Найбольшая колькасць валідатараў стала б меншай за колькасць прызначаных цяпер.',
    UPGRADE_NOT_NEWER: 'Сетка ўжо працуе на гэтай ці навейшай версіі пратакола.',
    UPGRADE_TOO_SOON: 'Вышыня абнаўлення занадта блізкая: офісам патрэбны час, каб усталяваць новую версію.',
    UPGRADE_SCHEDULED: 'Ужо прызначана іншае абнаўленне. Спачатку адмяніце яго.',
    NO_SUCH_UPGRADE: 'Такое абнаўленне не прызначана.',
    TOO_MANY_VALIDATORS: 'У сетцы стала б больш валідатараў, чым дапускаецца.',
    NO_VALIDATORS_LEFT: 'Пасля гэтай змены не застанецца ніводнага офіса, які галасуе, і сетка спыніцца.',
    OBSERVER_NOT_VALIDATOR: 'Назіральнік (банк, суд) не можа быць валідатарам.',
  },
  txType: {
    'governance.upgrade': 'Прызначана абнаўленне пратакола',
    'governance.params': 'Зменены параметры сеткі',
  },
};
