// The encumbrance module's strings in English: the kinds of encumbrance, its transactions' labels, and the sentences of the
// rejections it owns.
export const en = {
  reject: {
    ENCUMBRANCE_EXISTS: 'This encumbrance is already recorded.',
    UNKNOWN_ENCUMBRANCE: 'No such encumbrance is recorded on the object.',
    TOO_MANY_ENCUMBRANCES: 'The object has the maximum number of encumbrances.',
  },
  txType: {
    'encumbrance.add': 'Encumbrance added',
    'encumbrance.release': 'Encumbrance released',
  },
  encumbranceKind: {
    mortgage: 'Mortgage',
    arrest: 'Arrest',
  },
} as const;
