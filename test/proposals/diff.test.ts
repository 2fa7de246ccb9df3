/** The version difference people read (issue 10, item 9): word level, whitespace kept, neighbouring changes merged. */
import { describe, expect, it } from 'vitest';
import { diffWords, sideBySide, type DiffPart } from '../../src/proposals/diff.ts';

const text = (parts: DiffPart[], side: 'before' | 'after') =>
  parts
    .filter((p) => p.kind === 'same' || p.kind === (side === 'before' ? 'removed' : 'added'))
    .map((p) => p.text)
    .join('');

const BEFORE = 'Chaque agent dispose de cinq jours et une prime annuelle.\nLe service paie.';
const AFTER = 'Chaque agent dispose de cinq jours. Ses frais sont remboursés chaque mois.\nLe service paie.';

describe('the difference between two versions', () => {
  it('when a sentence is rewritten, then it reads as one removed passage then one added passage, not word against word', () => {
    const parts = diffWords(BEFORE, AFTER);
    expect(parts.map((p) => p.kind)).toEqual(['same', 'removed', 'added', 'same']);
    expect(parts[0]!.text).toBe('Chaque agent dispose de cinq jours');
    expect(parts[1]!.text).toBe(' et une prime annuelle');
    expect(parts[2]!.text).toBe('. Ses frais sont remboursés chaque mois');
    expect(parts[3]!.text).toBe('.\nLe service paie.');
  });

  it('when texts change in places far apart, then each change stays on its own and the text between is unchanged', () => {
    const before = 'Un. Le groupe décide ensemble de chaque proposition qui lui est soumise. Deux.';
    const after = 'Une. Le groupe décide ensemble de chaque proposition qui lui est soumise. Trois.';
    const parts = diffWords(before, after);
    expect(parts.filter((p) => p.kind === 'removed').map((p) => p.text)).toEqual(['Un', 'Deux']);
    expect(parts.filter((p) => p.kind === 'added').map((p) => p.text)).toEqual(['Une', 'Trois']);
  });

  it('when parts are joined, then each side gives back its text exactly, whitespace and line breaks included', () => {
    for (const [a, b] of [
      [BEFORE, AFTER],
      ['', 'Tout est nouveau.'],
      ['Tout disparaît.', ''],
      ['a  b\n\nc', 'a b\nc d'],
      ['Même texte.', 'Même texte.'],
    ] as const) {
      const parts = diffWords(a, b);
      expect(text(parts, 'before')).toBe(a);
      expect(text(parts, 'after')).toBe(b);
    }
    expect(diffWords('Même texte.', 'Même texte.')).toEqual([{ kind: 'same', text: 'Même texte.' }]);
  });

  it('when a few words change with short unchanged words between them, then they are merged into one passage', () => {
    const parts = diffWords('Le délai est de une semaine pour tous.', 'Le délai est de dix jours ouvrés pour tous.');
    expect(parts).toEqual([
      { kind: 'same', text: 'Le délai est de ' },
      { kind: 'removed', text: 'une semaine' },
      { kind: 'added', text: 'dix jours ouvrés' },
      { kind: 'same', text: ' pour tous.' },
    ]);
    const interleaved = diffWords('jours et une prime', 'jours. Ses frais primes');
    expect(interleaved.filter((p) => p.kind !== 'same')).toHaveLength(2);
  });

  it('when the texts have little in common and are long, then the difference is one replacement', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join(' ');
    expect(diffWords(a, b)).toEqual([
      { kind: 'removed', text: a },
      { kind: 'added', text: b },
    ]);
  });

  it('when laid out « avant / après », then each column holds its own text with the changed passages marked', () => {
    const sides = sideBySide(diffWords(BEFORE, AFTER));
    expect(sides.before.map((s) => s.text).join('')).toBe(BEFORE);
    expect(sides.after.map((s) => s.text).join('')).toBe(AFTER);
    expect(sides.before.filter((s) => s.changed).map((s) => s.text)).toEqual([' et une prime annuelle']);
    expect(sides.after.filter((s) => s.changed).map((s) => s.text)).toEqual(['. Ses frais sont remboursés chaque mois']);
  });
});
