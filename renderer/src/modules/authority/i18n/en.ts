// The authority module's strings in English: the Governance screen, the authority changes' labels, and the sentences of the
// rejections they own.
export const en = {
  nav: {
    governance: 'Governance',
  },
  reject: {
    AUTHORITY_EXISTS: 'This authority is already registered.',
    UNKNOWN_AUTHORITY: 'No such authority is registered.',
    AUTHORITY_REVOKED: 'This authority has been revoked.',
    QUORUM_NOT_MET: 'More than two thirds of the active registrars must sign this change.',
    NO_REGISTRARS_LEFT: 'This change would leave no active registrar, so nobody could govern the registry.',
    TOO_MANY_VALIDATORS: 'The network would have more validators than its maximum.',
    NO_VALIDATORS_LEFT: 'After this change no office would vote, and the network would stop.',
    OBSERVER_NOT_VALIDATOR: 'An observer (a bank, a court) cannot be a validator.',
    KEY_ROTATED: 'This key was replaced by the office’s new key and can no longer sign anything.',
    TOO_MANY_ROTATIONS: 'This office has replaced its key too many times; revoke it and add it anew.',
  },
  txType: {
    'authority.add': 'Authority added',
    'authority.update': 'Authority changed',
    'authority.revoke': 'Authority revoked',
    'authority.rotate': 'Office key replaced',
  },
  governance: {
    title: 'Governance',
    onlyRegistrars:
      'Governance is for registrars. This office signs as: {{role}}. Authority changes are proposed and co-signed by registrars.',
    explain:
      'Registrars decide who takes part in the registry: notaries, banks, courts and other registrars. A change takes effect when more than two thirds of the active registrars have signed it.',
    current: 'Current authorities',
    propose: 'Propose a change',
    action: 'Change',
    actions: { add: 'Add an authority', update: 'Change an authority', revoke: 'Revoke an authority' },
    key: 'Public key of the authority',
    keyInvalid: 'A public key is 64 characters 0-9 and a-f.',
    name: 'Name',
    role: 'Role',
    status: 'Status',
    peerId: 'Node peer id (optional)',
    version: 'Current version of the authority record',
    reason: 'Reason for revocation',
    noChange: 'Keep as is',
    expiresDays: 'Signatures valid for (days)',
    build: 'Download the unsigned change (JSON)',
    nextSteps:
      'Send the file to the registrars. Each opens it below and signs it with this screen (or with “notary tx sign FILE”). When more than two thirds have signed, submit it.',
    submitTitle: 'Co-sign or submit a change',
    submitFile: 'Signed change (JSON file)',
    submitText:
      'Open an authority change (JSON). A registrar office adds its signature with its own key, which never leaves the node; download the signed file for the next registrar, or submit it once enough have signed.',
    cosign: 'Sign with this office’s key',
    quorumReached: '{{signatures}} of the {{needed}} signatures needed: it can be submitted now.',
    quorumMissing: '{{signatures}} of the {{needed}} signatures needed: send the signed file to the next registrar.',
    downloadSigned: 'Download the signed change',
    submit: 'Submit',
    submitted: 'The change was submitted.',
    required: 'Required',
  },
} as const;
