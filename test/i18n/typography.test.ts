// French as a French public servant types it: the typographic apostrophe, and a non-breaking space
// (U+00A0 or the narrow U+202F) before ; : ! ? and inside « guillemets », so that no sign or
// guillemet ever starts a phone line alone. Every French text the app shows is read here.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueFr } from '../../src/i18n/locales/fr/index.ts';
import { VALIDITY_SETS } from '../../src/consent/validity.ts';
import { POSITION_LABELS } from '../../src/consent/rules.ts';
import { loadScenarios } from '../../src/training/scenarios.ts';

const NON_BREAKING = /[\u00a0\u202f]/;

/** What is wrong in one French text, as short readable notes (empty when it is right). */
export function typographyFaults(text: string): string[] {
  const faults: string[] = [];
  if (text.includes("'")) faults.push('apostrophe droite (utilisez ’)');
  for (const m of text.matchAll(/[;:!?]/g)) {
    const i = m.index;
    const before = text[i - 1] ?? '';
    const after = text.slice(i + 1);
    if (m[0] === ':' && (after.startsWith('//') || (/\d/.test(before) && /^\d/.test(after)))) continue; // https://, 14:30
    if (m[0] === '?' && /^[a-z_]+=/.test(after)) continue; // a query string: ?lang=en
    if (!NON_BREAKING.test(before)) faults.push(`espace insécable manquante avant « ${text.slice(Math.max(0, i - 12), i + 1)} »`);
  }
  for (const m of text.matchAll(/«/g)) if (!NON_BREAKING.test(text[m.index + 1] ?? '')) faults.push('espace insécable manquante après «');
  for (const m of text.matchAll(/»/g)) if (!NON_BREAKING.test(text[m.index - 1] ?? '')) faults.push('espace insécable manquante avant »');
  return faults;
}

/** Every string leaf of a nested object, with its dotted path. */
function leaves(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  return out;
}

/** The French texts outside the catalogues: validity questions, positions, training scenarios. */
function otherFrenchTexts(): [string, string][] {
  const out: [string, string][] = [];
  for (const set of Object.values(VALIDITY_SETS)) {
    out.push([`validity.${set.id}.label`, set.label.fr]);
    for (const q of set.questions) out.push([`validity.${set.id}.${q.id}`, q.fr]);
  }
  for (const [step, label] of Object.entries(POSITION_LABELS)) out.push([`positions.${step}`, label.fr]);
  for (const s of loadScenarios()) leaves({ ...s, id: undefined, kind: undefined }, `scenario.${s.id}`, out);
  return out;
}

function report(texts: [string, string][]): string[] {
  return texts.flatMap(([path, text]) => typographyFaults(text).map((f) => `${path}: ${f}`));
}

describe('French typography', () => {
  it('when a text has a straight apostrophe or an ordinary space before a sign or inside guillemets, then the check names each fault', () => {
    expect(typographyFaults("C'est au tour d’Alix")).toEqual(['apostrophe droite (utilisez ’)']);
    expect(typographyFaults('Pas de compte ?')).toHaveLength(1);
    expect(typographyFaults('Attention: rien')).toHaveLength(1);
    expect(typographyFaults('« oui »')).toHaveLength(2);
    expect(typographyFaults('Pas de compte\u202f? Ensuite\u00a0: «\u00a0oui\u00a0»\u202f!')).toEqual([]);
    expect(typographyFaults('Voir https://exemple.fr/?lang=fr à 14:30')).toEqual([]);
  });

  it('when every French string of the catalogues is read, then none has a typographic fault', () => {
    const texts = leaves(catalogueFr, '');
    expect(texts.length).toBeGreaterThan(300);
    expect(report(texts)).toEqual([]);
  });

  it('when the validity questions, the positions and the training scenarios are read, then none has a typographic fault', () => {
    const texts = otherFrenchTexts();
    expect(texts.length).toBeGreaterThan(100);
    expect(report(texts)).toEqual([]);
  });
});

/** The text a template writes itself, outside its EJS tags, HTML tags, scripts and styles. */
function templateText(source: string): string {
  return source
    .replace(/<%[\s\S]*?%>/g, '\u0001')
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]*>/g, '\u0001');
}

function templates(dir = path.resolve('views')): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? templates(path.join(dir, e.name)) : e.name.endsWith('.ejs') ? [path.join(dir, e.name)] : []));
}

describe('French typography in the templates', () => {
  it('when a template writes punctuation or guillemets itself, then it never puts an ordinary space before a sign or inside « »', () => {
    const faults = /[ ][:;!?»]|« /;
    expect(faults.test(templateText('<strong><%= t("live.tension") %> :</strong>'))).toBe(true);
    const found = templates().flatMap((file) =>
      templateText(fs.readFileSync(file, 'utf8'))
        .split('\n')
        .filter((line) => faults.test(line) || line.includes("'"))
        .map((line) => `${path.relative('views', file)}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });
});

describe('French register', () => {
  it('when every French string of the catalogues is read, then the person is addressed as « vous », never « tu »', () => {
    const familiar = /(?:^|[\s«(’-])(tu|ta|ton|tes|toi|te|t’)(?=[\s,.;:!?»)\u00a0\u202f]|$)/i;
    expect(familiar.test('«\u00a0Souhaites-tu bonifier ta proposition\u202f?\u00a0»')).toBe(true);
    expect(leaves(catalogueFr, '').filter(([, text]) => familiar.test(text))).toEqual([]);
  });
});
