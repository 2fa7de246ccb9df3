// Dates in words and times with « h », in Paris time, from one formatter used by every view.

import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDay, formatMoment } from '../../src/i18n/dates.ts';

describe('dates in words', () => {
  it('when a day is shown, then it reads in words in French and in English', () => {
    expect(formatDay('2027-11-26', 'fr')).toBe('26 novembre 2027');
    expect(formatDay('2027-11-26', 'en')).toBe('26 November 2027');
    expect(formatDay(null, 'fr')).toBe('');
  });

  it('when an instant is shown, then the time reads « 14 h 30 » in Paris time, with its weekday for a meeting', () => {
    expect(formatMoment('2027-11-26T13:30:00.000Z', 'fr')).toBe('26 novembre 2027 à 14\u00a0h\u00a030');
    expect(formatDateTime('2027-11-26T13:30:00.000Z', 'fr')).toBe('vendredi 26 novembre 2027 à 14\u00a0h\u00a030');
    expect(formatDateTime(new Date('2027-07-01T07:05:00.000Z'), 'fr')).toBe('jeudi 1er juillet 2027 à 9\u00a0h\u00a005');
    expect(formatDateTime('2027-11-26T13:30:00.000Z', 'en')).toBe('Friday 26 November 2027 at 14:30');
  });
});
