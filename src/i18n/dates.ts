/** Dates of the register in words (« 26 novembre 2027 »), in Paris time. */
const TIME_ZONE = 'Europe/Paris';

const locale = (lang: string): string => (lang === 'en' ? 'en-GB' : 'fr-FR');

/** A calendar day 'YYYY-MM-DD' or an instant, as a date in words. */
export function formatDay(value: string | Date | null, lang: string): string {
  if (value === null) return '';
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return date.toLocaleDateString(locale(lang), { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' });
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
