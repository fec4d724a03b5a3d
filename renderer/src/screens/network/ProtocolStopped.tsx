// The node stopped before a height its software cannot execute (decision #50): the node's own
// sentence, shown on the Overview and Network screens until a release that runs it is installed.
import { Alert } from '@mantine/core';
import { IconPlayerStop } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { NodeStatus } from '../../../../shared/api/index.js';

export function ProtocolStoppedAlert({ protocol }: { protocol: NodeStatus['protocol'] }) {
  const { t } = useTranslation();
  if (protocol.stopped === undefined) return null;
  return (
    <Alert
      color="red"
      icon={<IconPlayerStop aria-hidden />}
      title={t('network.protocol.stoppedTitle')}
      data-testid="alert-protocol-stopped"
      role="alert"
    >
      {protocol.stopped}
    </Alert>
  );
}
