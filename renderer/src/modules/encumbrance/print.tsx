// The row an encumbrance's receipt adds: the object it burdens or frees.
import { useTranslation } from 'react-i18next';
import type { TxOf } from '../../../../shared/ledger/index.js';
import { Field } from '../../components/PrintView.js';

export function EncumbranceReceipt({ tx }: { tx: TxOf<'encumbrance.add'> | TxOf<'encumbrance.release'> }) {
  const { t } = useTranslation();
  return <Field label={t('print.object')}>{tx.payload.objectId}</Field>;
}
