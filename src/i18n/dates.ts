/**
 * Dates and times as people read them, in Paris time: the one place that formats them.
 * French in words with « h » for the time (« jeudi 26 novembre 2027 à 14 h 30 »), English alike.
 */
export const TIME_ZONE = 'Europe/Paris';

const locale = (lang: string): string => (lang === 'en' ? 'en-GB' : 'fr-FR');

/** A calendar day 'YYYY-MM-DD' or an instant, as a date in words. */
export function formatDay(value: string | Date | null, lang: string): string {
  if (value === null) return '';
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  const parts = new Intl.DateTimeFormat(locale(lang), { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' }).formatToParts(date);
  // French writes the first of the month as an ordinal: « 1er juillet 2027 »
  return parts.map((p) => (lang !== 'en' && p.type === 'day' && p.value === '1' ? '1er' : p.value)).join('');
}

/** An instant as a date in words and a time (« 14 mars 2026 à 10 h 05 »). */
export function formatMoment(value: string | Date | null, lang: string): string {
  if (value === null) return '';
  const date = new Date(value);
  const day = formatDay(date, lang);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  const hour = parts.find((p) => p.type === 'hour')!.value;
  const minute = parts.find((p) => p.type === 'minute')!.value;
  return lang === 'en' ? `${day} at ${hour}:${minute}` : `${day} à ${Number(hour)}\u00a0h\u00a0${minute}`;
}

/** An instant with its weekday (« jeudi 26 novembre 2027 à 14 h 30 »), for meetings to come. */
export function formatDateTime(value: string | Date | null, lang: string): string {
  if (value === null) return '';
  const weekday = new Date(value).toLocaleDateString(locale(lang), { timeZone: TIME_ZONE, weekday: 'long' });
  return `${weekday} ${formatMoment(value, lang)}`;
}

/** Today in Paris, 'YYYY-MM-DD'. */
export function parisToday(now: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE }).format(now);
}

/** A duration in minutes, as words (« 1 h 05 », « 12 min »). */
export function formatMinutes(minutes: number, lang: string): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m}\u00a0min`;
  const h = Math.floor(m / 60);
  const rest = String(m % 60).padStart(2, '0');
  return lang === 'en' ? `${h} h ${rest}` : `${h}\u00a0h\u00a0${rest}`;
}
