// The governance module's strings in English: its transactions' labels and the sentences of the rejections it owns.
export const en = {
  reject: {
    NOT_YET_ENABLED: 'This kind of transaction comes with a later protocol version than the network runs now.',
    PARAM_OUT_OF_RANGE: 'A network parameter is outside the allowed range.',
    PARAMS_BELOW_VALIDATORS: 'The maximum number of validators would be below the number designated now.',
    UPGRADE_NOT_NEWER: 'The network already runs this protocol version or a newer one.',
    UPGRADE_TOO_SOON: 'The upgrade height is too close: offices need time to install the new release.',
    UPGRADE_SCHEDULED: 'Another upgrade is already scheduled. Cancel it first.',
    NO_SUCH_UPGRADE: 'No such upgrade is scheduled.',
    TOO_MANY_VALIDATORS: 'The network would have more validators than its maximum.',
    NO_VALIDATORS_LEFT: 'After this change no office would vote, and the network would stop.',
    OBSERVER_NOT_VALIDATOR: 'An observer (a bank, a court) cannot be a validator.',
  },
  txType: {
    'governance.upgrade': 'Protocol upgrade scheduled',
    'governance.params': 'Network parameters changed',
  },
} as const;
