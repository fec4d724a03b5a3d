// Every error as a sentence a notary understands, in the chosen language; the node's own
// English sentence is the fallback (and is shown as a detail).
import type { TFunction } from 'i18next';
import { ApiCallError } from '../../shared/api/index.js';
import { i18n } from './i18n/index.js';

export class UiError extends Error {
  constructor(readonly key: 'errors.invalidJson' | 'errors.fileTooLarge' | 'errors.fileRead') {
    super(key);
    this.name = 'UiError';
  }
}

/** The translated sentence of a reject code (shared/ledger RejectCode), or null when unknown. */
export function rejectSentence(t: TFunction, code: string | undefined): string | null {
  if (!code) return null;
  const key = `reject.${code}`;
  return i18n.exists(key) ? t(key as 'reject.MALFORMED') : null;
}

export interface Explained {
  sentence: string;
  /** The node's own sentence, when it adds to the translation. */
  detail?: string;
  code?: string;
}

export function explainError(t: TFunction, error: unknown): Explained {
  if (error instanceof UiError) return { sentence: t(error.key) };
  if (error instanceof ApiCallError) {
    const apiKey = `errors.api.${error.code}`;
    const translated = i18n.exists(apiKey) ? t(apiKey as 'errors.api.MALFORMED') : rejectSentence(t, error.code);
    if (translated) return { sentence: translated, detail: error.message, code: error.code };
    return { sentence: error.message || t('errors.generic'), code: error.code };
  }
  if (error instanceof Error && error.message) return { sentence: t('errors.generic'), detail: error.message };
  return { sentence: t('errors.generic') };
}
