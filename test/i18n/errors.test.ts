// The sentences behind the core's error codes: every refusal reads in French and in English.

import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES, decide, initialState, isDomainError } from '../../src/consent/index.ts';
import { errorKey, translateError, translator } from '../../src/i18n/index.ts';
import { errorsEn } from '../../src/i18n/locales/en/errors.ts';
import { errorsFr } from '../../src/i18n/locales/fr/errors.ts';
import { ConcurrencyError, KeyReusedError } from '../../src/proposals/errors.ts';

const fr = translator('fr');
const en = translator('en');

describe('error messages', () => {
  it('when a refusal is translated, then the person reads its sentence in their language', () => {
    const refusal = decide(initialState, { type: 'Present', at: '2025-03-14T09:00:00.000Z', actorId: 'p-facilitateur' });
    if (!isDomainError(refusal)) throw new Error('expected a refusal');
    expect(translateError(refusal, fr)).toBe('Cette proposition n’existe pas.');
    expect(translateError(refusal, en)).toBe('This proposal does not exist.');
    expect(translateError(new DomainError('NOT_YOUR_TURN'), fr)).toBe('Ce n’est pas votre tour de parole.');
  });

  it('when every code is translated, then each has its own French and English sentence, never the bare key', () => {
    for (const code of ERROR_CODES) {
      const error = new DomainError(code);
      for (const t of [fr, en]) {
        const text = translateError(error, t);
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toBe(errorKey(error));
      }
      expect(translateError(error, fr)).not.toBe(translateError(error, en));
    }
    // Both catalogues name exactly the core's codes and the service's two refusals (lost race, reused key).
    const keys = [...ERROR_CODES.map((c) => c.toLowerCase()), 'concurrent_change', 'key_reused'].sort();
    expect(Object.keys(errorsFr).sort()).toEqual(keys);
    expect(Object.keys(errorsEn).sort()).toEqual(keys);
  });

  it('when a submission key comes back with another content, then the message says to reload and send again', () => {
    const error = new KeyReusedError();
    expect(errorKey(error)).toBe('errors.key_reused');
    expect(translateError(error, fr)).toMatch(/^Ce formulaire a déjà été envoyé avec un autre contenu/);
    expect(translateError(error, en)).toMatch(/^This form was already sent with a different content/);
  });

  it('when a command lost the race for its place in the log, then the message says to try again', () => {
    const error = new ConcurrencyError();
    expect(errorKey(error)).toBe('errors.concurrent_change');
    expect(translateError(error, fr)).toBe('La proposition a changé pendant votre action, et elle n’a pas pu être enregistrée. Réessayez.');
    expect(translateError(error, en)).toBe('The proposal changed while you acted and your action could not be recorded. Please try again.');
  });
});
