// Dates, money, shares and keys in the chosen language (Intl).
import { i18n } from './i18n/index.js';

const locale = () => i18n.language || 'en';

export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(ms));
}

/** Compact, for table cells. */
export function formatShortTime(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms));
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date(ms));
}

export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(
    value,
  );
}

/** Minor units (kopecks) as an amount with its currency. */
export function formatMoney(minor: number, currency = 'BYN'): string {
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${formatNumber(minor / 100, 2)} ${currency}`;
  }
}

export function formatShare([numerator, denominator]: readonly [number, number]): string {
  if (numerator === denominator) return '1';
  const percent = (numerator / denominator) * 100;
  return `${numerator}/${denominator} (${formatNumber(percent, percent % 1 === 0 ? 0 : 2)} %)`;
}

export function formatArea(areaDm2: number): string {
  return formatNumber(areaDm2 / 100, 2);
}

export function shortHash(value: string, head = 8, tail = 6): string {
  return value.length > head + tail + 1 ? `${value.slice(0, head)}…${value.slice(-tail)}` : value;
}

/** Saves a JSON document as a file the user downloads. */
export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** A span of time in words, in its largest whole unit: "2 minutes", "90 seconds", "1 hour". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [value, unit]: [number, 'hour' | 'minute' | 'second'] =
    seconds >= 3600 && seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds >= 60 && seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  try {
    const format = new Intl.NumberFormat(locale(), { style: 'unit', unit, unitDisplay: 'long' });
    // a browser without this language's data (Chromium has none for Belarusian) would answer in English
    if (format.resolvedOptions().locale.split('-')[0] === locale().split('-')[0]) return format.format(value);
  } catch {
    // an engine without unit formatting: the short form below
  }
  return i18n.t(`app.duration.${unit}`, { value: formatNumber(value) });
}
