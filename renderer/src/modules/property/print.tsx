// The property registry's printed parts: the ownership certificate (#/print/certificate/<id>)
// with its checkpoint QR code (CertificateQr.tsx), and the rows a registration's, a correction's and a transfer's receipt add.
import { Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TxOf } from '../../../../shared/ledger/index.js';
import type { OwnershipCertificate } from '../../../../shared/receipt/index.js';
import { Field, Finality, PrintFrame } from '../../components/PrintView.js';
import { QueryView } from '../../components/QueryView.js';
import { useClient } from '../../data.js';
import { formatArea, formatMoney, formatShare } from '../../format.js';
import { CertificateQr } from './CertificateQr.js';

function Owners({ owners }: { owners: readonly { key: string; share: readonly [number, number] }[] }) {
  return (
    <Stack gap={2}>
      {owners.map((owner) => (
        <Group key={owner.key} gap="xs" wrap="nowrap">
          <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
            {owner.key}
          </Text>
          <Text size="sm" fw={600}>
            {formatShare(owner.share)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

function CertificateDocument({ certificate }: { certificate: OwnershipCertificate }) {
  const { t } = useTranslation();
  const object = certificate.object;
  return (
    <>
      <Title order={1} size="h2">
        {t('print.certificateTitle')}
      </Title>
      <Finality doc={certificate} />
      <Table withTableBorder withColumnBorders>
        <Table.Tbody>
          <Field label={t('registry.columns.id')}>{object.id}</Field>
          <Field label={t('registry.kind')}>{t(`kind.${object.kind}`)}</Field>
          <Field label={t('registry.address')}>{object.address}</Field>
          <Field label={t('registry.area')}>{t('registry.areaValue', { value: formatArea(object.areaDm2) })}</Field>
          <Field label={t('registry.owners')}>
            <Owners owners={object.owners} />
          </Field>
          <Field label={t('registry.encumbrances')}>
            {object.encumbrances.length === 0
              ? t('registry.noEncumbrances')
              : object.encumbrances.map((item) => (
                  <Text size="sm" key={item.id}>
                    {t(`encumbranceKind.${item.kind}`)} · {item.reference} ·{' '}
                    {t('app.height', { height: item.sinceHeight })}
                  </Text>
                ))}
          </Field>
          <Field label={t('registry.version')}>{object.version}</Field>
        </Table.Tbody>
      </Table>
      <CertificateQr
        certificate={certificate}
        fileName={`certificate-${object.id.replace(/[^A-Za-z0-9._-]/g, '_')}-h${certificate.header.height}.json`}
      />
    </>
  );
}

/** The ownership certificate of one object, as of the block the node had when it was opened. */
export function PrintCertificate({ id }: { id: string }) {
  const client = useClient();
  // its own key: a printed certificate stays as fetched, whatever blocks come in meanwhile
  const query = useQuery({
    queryKey: ['print', 'property', id],
    queryFn: () => client.call('property', { params: { id } }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  return (
    <PrintFrame testid="screen-print-certificate">
      <QueryView query={query}>{(data) => <CertificateDocument certificate={data.certificate} />}</QueryView>
    </PrintFrame>
  );
}

export function RegisterReceipt({ tx }: { tx: TxOf<'property.register'> }) {
  const { t } = useTranslation();
  return (
    <>
      <Field label={t('print.object')}>{tx.payload.object.id}</Field>
      <Field label={t('registry.owners')}>
        <Owners owners={tx.payload.object.owners} />
      </Field>
    </>
  );
}

export function CorrectReceipt({ tx }: { tx: TxOf<'property.correct'> }) {
  const { t } = useTranslation();
  const { objectId, changes, reason, registrar } = tx.payload;
  return (
    <>
      <Field label={t('print.object')}>{objectId}</Field>
      {changes.address !== undefined ? <Field label={t('print.correctionAddress')}>{changes.address}</Field> : null}
      {changes.areaDm2 !== undefined ? (
        <Field label={t('print.correctionArea')}>
          {t('registry.areaValue', { value: formatArea(changes.areaDm2) })}
        </Field>
      ) : null}
      <Field label={t('print.correctionReason')}>{reason}</Field>
      <Field label={t('print.correctionRegistrar')}>
        <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
          {registrar}
        </Text>
      </Field>
    </>
  );
}

export function TransferReceipt({ tx }: { tx: TxOf<'transfer'> }) {
  const { t } = useTranslation();
  const { contract, duty, notary } = tx.payload;
  return (
    <>
      <Field label={t('print.object')}>{contract.objectId}</Field>
      <Field label={t('certify.sellers')}>
        <Owners owners={contract.sellers} />
      </Field>
      <Field label={t('certify.buyers')}>
        <Owners owners={contract.buyers} />
      </Field>
      <Field label={t('certify.price')}>{formatMoney(contract.priceMinor, contract.currency)}</Field>
      <Field label={t('certify.duty')}>
        {formatMoney(duty.amountMinor)} · {duty.reference}
      </Field>
      <Field label={t('certify.notary')}>
        <Text size="sm" className="mono" style={{ wordBreak: 'break-all' }}>
          {notary}
        </Text>
      </Field>
    </>
  );
}
