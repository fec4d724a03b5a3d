// JSON documents the user opens or pastes: a contract, an authority change. Errors are UiErrors,
// each a sentence in the chosen language.
import { UiError } from './errors.js';

const CONTRACT_BYTES_MAX = 256 * 1024;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UiError('errors.invalidJson');
  }
}

export async function readJsonFile(file: File): Promise<unknown> {
  if (file.size > CONTRACT_BYTES_MAX) throw new UiError('errors.fileTooLarge');
  let text: string;
  try {
    text = await file.text();
  } catch {
    throw new UiError('errors.fileRead');
  }
  return parseJson(text);
}
