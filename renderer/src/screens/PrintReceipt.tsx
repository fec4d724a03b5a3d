// The printable receipt of a final transaction (#/print/receipt/<hash>): the rows every
// transaction has, and between them the rows its module adds (TxReceiptRows).
import { Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Receipt } from '../../../shared/receipt/index.js';
import { Field, Finality, PrintFrame, QrBlock } from '../components/PrintView.js';
import { QueryView } from '../components/QueryView.js';
import { useClient } from '../data.js';
import { formatTime } from '../format.js';
import { TxReceiptRows } from '../modules/index.js';

function ReceiptDocument({ receipt, txHash }: { receipt: Receipt; txHash: string }) {
  const { t } = useTranslation();
  const tx = receipt.tx;
  return (
    <>
      <Title order={1} size="h2">
        {t('print.receiptTitle')}
      </Title>
      <Finality doc={receipt} />
      <Table withTableBorder withColumnBorders>
        <Table.Tbody>
          <Field label={t('print.transaction')}>
            <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
              {txHash}
            </Text>
          </Field>
          <Field label={t('print.type')}>{t(`txType.${tx.type}`)}</Field>
          <TxReceiptRows tx={tx} />
          <Field label={t('explorer.fields.height')}>{receipt.header.height}</Field>
          <Field label={t('explorer.fields.time')}>{formatTime(receipt.header.timeMs)}</Field>
        </Table.Tbody>
      </Table>
      <QrBlock
        document={receipt}
        fileName={`receipt-${txHash.slice(0, 16)}.json`}
        downloadLabel={t('print.downloadReceipt')}
      />
    </>
  );
}

export function PrintReceipt({ id: txHash }: { id: string }) {
  const client = useClient();
  const query = useQuery({
    queryKey: ['print', 'receipt', txHash],
    queryFn: () => client.call('receipt', { params: { txHash } }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  return (
    <PrintFrame testid="screen-print-receipt">
      <QueryView query={query}>{(data) => <ReceiptDocument receipt={data} txHash={txHash} />}</QueryView>
    </PrintFrame>
  );
}
