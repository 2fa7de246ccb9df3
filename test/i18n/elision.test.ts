// Names in French sentences: « d’Alix », « au tour d’Élise », never « de Alix »; and counts that agree.

import { describe, expect, it } from 'vitest';
import { elide, takesElision } from '../../src/i18n/elision.ts';
import { translator } from '../../src/i18n/index.ts';
import { catalogueFr } from '../../src/i18n/locales/fr/index.ts';

const fr = translator('fr');
const en = translator('en');

function leaves(value: unknown, path = '', out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  return out;
}

describe('elision before a name', () => {
  it('when a name starts with a vowel, an accented vowel, a mute h or y before a consonant, then the word is elided', () => {
    expect(elide('de', 'Alix')).toBe('d’Alix');
    expect(elide('de', 'Élise Martin')).toBe('d’Élise Martin');
    expect(elide('que', 'Hélène')).toBe('qu’Hélène');
    expect(elide('le', 'Ouvrier')).toBe('l’Ouvrier');
    expect(elide('de', 'Yves')).toBe('d’Yves');
    expect(elide('de', 'œuvre')).toBe('d’œuvre');
    expect(elide('de', 'isabelle')).toBe('d’isabelle');
  });

  it('when a name starts with a consonant, an aspirated h or y before a vowel, then the word stays whole', () => {
    expect(elide('de', 'Bob')).toBe('de Bob');
    expect(elide('de', 'Chantal Riveraine')).toBe('de Chantal Riveraine');
    expect(elide('de', 'Hugues')).toBe('de Hugues');
    expect(elide('de', 'Yasmine')).toBe('de Yasmine');
    expect(elide('que', '')).toBe('que ');
    expect(takesElision('  ')).toBe(false);
    expect(takesElision('3 personnes')).toBe(false);
  });

  it('when a catalogue sentence names someone after « de », then it reads elided in French and unchanged in English', () => {
    expect(fr('live.turn_of', { name: 'Alix' })).toBe('C’est au tour d’Alix');
    expect(fr('live.turn_of', { name: 'Bob' })).toBe('C’est au tour de Bob');
    expect(fr('live.actions.test_title', { name: 'Élise' })).toBe('Tester l’objection d’Élise');
    expect(fr('register.record.answer', { name: 'Hélène' })).toBe('Réponse d’Hélène');
    expect(en('live.turn_of', { name: 'Alix' })).toBe('It is Alix’s turn');
  });

  it('when the French catalogue is read, then no name follows « de », « que », « le » or « la » without the elision formatter', () => {
    // Dates, counts and numbers follow « le » as they are (« le 26 novembre »); names go through {{name, de}}.
    const notNames = /^(date|count|n|total|min|max|hours|chosen|hash|url|code|email|view)$/; // « Ouvrir la {{view}} » names a view, not a person
    const bare = leaves(catalogueFr).filter(([, text]) =>
      [...text.matchAll(/(?:^|[\s’(])(?:de|que|le|la|De|Que|Le|La) \{\{(\w+)\}\}/g)].some((m) => !notNames.test(m[1]!)),
    );
    expect(bare).toEqual([]);
  });
});

describe('agreement with counts', () => {
  it('when one person of four has taken their turn, then the verb is singular; when three, plural', () => {
    expect(fr('live.round_progress', { count: 1, total: 4 })).toBe('1 sur 4 a pris son tour');
    expect(fr('live.round_progress', { count: 3, total: 4 })).toBe('3 sur 4 ont pris leur tour');
    expect(en('live.round_progress', { count: 1, total: 4 })).toBe('1 of 4 has taken their turn');
    expect(fr('live.here', { count: 1 })).toBe('1\u00a0personne présente');
    expect(fr('live.here', { count: 5 })).toBe('5\u00a0personnes présentes');
    expect(fr('register.record.on_behalf_line', { count: 2, recordedBy: 'Farid', person: 'Bob' })).toBe('Farid a saisi 2\u00a0interventions pour Bob');
    expect(fr('training.comparison.consent.no', { count: 1 })).toContain('1\u00a0objection à intégrer');
  });
});
