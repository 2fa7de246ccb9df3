/**
 * French elision before a name: « d’Alix », « d’Élise », « qu’Hélène », but « de Bob », « de Yasmine ».
 * The catalogues write `{{name, de}}` (or `que`, `le`, `la`, `je`, `ne`) and i18next calls `elide`
 * through the formatters registered in ./index.ts, so a sentence never reads « de Alix ».
 */

export const ELIDING_WORDS = ['de', 'que', 'le', 'la', 'je', 'ne'] as const;
export type ElidingWord = (typeof ELIDING_WORDS)[number];

// Names and words whose h is aspirated: no elision (« de Hugues », « de Hollande »).
const ASPIRATED_H = new Set(['hugues', 'hollande', 'hongrie', 'hun', 'huns', 'hêtre', 'hibou', 'héros', 'haut', 'hall']);

/** Whether a name starts with a vowel sound that takes elision: a vowel (accented or not), a mute h, or y before a consonant. */
export function takesElision(name: string): boolean {
  const text = name.trim().normalize('NFC');
  const word = (text.split(/[\s’'-]/)[0] ?? '').toLocaleLowerCase('fr');
  const first = word.normalize('NFD').charAt(0); // the letter without its accent
  if (!first) return false;
  if ('aeiouœæ'.includes(first)) return true;
  if (first === 'h') return word.length > 1 && !ASPIRATED_H.has(word);
  if (first === 'y') return word.length > 1 && !'aeiouy'.includes(word.normalize('NFD').charAt(1)); // Yves, Yvonne; not Yasmine, Yann
  return false;
}

/** `word` followed by `name`, elided where French elides: elide('de', 'Alix') → « d’Alix ». */
export function elide(word: ElidingWord | string, name: string): string {
  if (!takesElision(name)) return `${word} ${name}`;
  return `${word.slice(0, -1)}’${name.trim()}`;
}
