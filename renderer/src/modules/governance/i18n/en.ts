// The governance module's strings in English: its transactions' labels and the sentences of the rejections it owns.
export const en = {
  reject: {
    PARAM_OUT_OF_RANGE: 'A network parameter is outside the allowed range.',
    PARAMS_BELOW_VALIDATORS: 'The maximum number of validators would be below the number designated now.',
    UPGRADE_NOT_NEWER: 'The network already runs this protocol version or a newer one.',
    UPGRADE_TOO_SOON: 'The upgrade height is too close: offices need time to install the new release.',
    UPGRADE_SCHEDULED: 'Another upgrade is already scheduled. Cancel it first.',
    NO_SUCH_UPGRADE: 'No such upgrade is scheduled.',
  },
  txType: {
    'governance.upgrade': 'Protocol upgrade scheduled',
    'governance.params': 'Network parameters changed',
  },
} as const;
