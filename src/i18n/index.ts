/** Translation: i18next with the French and English catalogues, one instance for the process. */
import i18next, { type TFunction } from 'i18next';
import { fr } from './locales/fr.ts';
import { en } from './locales/en.ts';
import { liveFr } from './locales/live.fr.ts';
import { liveEn } from './locales/live.en.ts';
import { errorsFr } from './locales/fr/errors.ts';
import { errorsEn } from './locales/en/errors.ts';
import { registerFr } from './locales/register.fr.ts';
import { registerEn } from './locales/register.en.ts';
import { trainingFr } from './locales/training.fr.ts';
import { trainingEn } from './locales/training.en.ts';
import { seanceFr } from './locales/seance.fr.ts';
import { seanceEn } from './locales/seance.en.ts';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'fr';

const instance = i18next.createInstance();
await instance.init({
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  // The consent core names its refusals by code; their texts join the catalogue under errors.<code>.
  resources: {
    fr: { translation: { ...fr, live: liveFr, register: registerFr, training: trainingFr, seance: seanceFr, errors: { ...fr.errors, ...errorsFr } } },
    en: { translation: { ...en, live: liveEn, register: registerEn, training: trainingEn, seance: seanceEn, errors: { ...en.errors, ...errorsEn } } },
  },
  interpolation: { escapeValue: false }, // EJS escapes on output
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
});

const fixed = { fr: instance.getFixedT('fr'), en: instance.getFixedT('en') };
const plain = { fr: new Map<string, string>(), en: new Map<string, string>() };

/**
 * A translate function bound to one language. Texts asked for without options are the same on
 * every call and are kept once looked up: a live view asks for hundreds on each refresh.
 */
export function translator(language: Language): TFunction {
  const t = fixed[language];
  const cache = plain[language];
  const cached = ((key: string | string[], options?: unknown) => {
    if (options !== undefined || typeof key !== 'string') return (t as (k: unknown, o?: unknown) => string)(key, options);
    let text = cache.get(key);
    if (text === undefined) cache.set(key, (text = t(key)));
    return text;
  }) as unknown as TFunction;
  return cached;
}

/** An error named by a code (the core's DomainError, the service's ConcurrencyError) and its parameters. */
export interface CodedError {
  code: string;
  params?: Readonly<Record<string, string | number>>;
}

/** The catalogue key of a coded error: `errors.<code in lower case>`. */
export function errorKey(error: CodedError): string {
  return `errors.${error.code.toLowerCase()}`;
}

/** The sentence a person reads for a coded error, in the language of `t`. */
export function translateError(error: CodedError, t: TFunction): string {
  return t(errorKey(error), { ...error.params });
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}
