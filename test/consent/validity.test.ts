import { describe, expect, it } from 'vitest';
import { rulingOfAnswers, VALIDITY_SETS } from '../../src/consent/index.ts';

const yes = (ids: readonly { id: string }[], no: string[] = []) => Object.fromEntries(ids.map((q) => [q.id, !no.includes(q.id)]));

describe('the ruling each validity set reads from the answers', () => {
  it.each(Object.values(VALIDITY_SETS).map((s) => [s.id, s] as const))(
    '%s: every answer yes is « recevable », and every rule names questions of its set',
    (_, set) => {
      expect(rulingOfAnswers(set, yes(set.questions))).toBe('valid');
      const ids = set.questions.map((q) => q.id);
      for (const id of [...set.validWhen.all, ...(set.validWhen.any ?? [])]) expect(ids).toContain(id);
    },
  );

  it('importante et argumentée: both are needed', () => {
    const set = VALIDITY_SETS.importante_argumentee;
    expect(rulingOfAnswers(set, { importante: true, argumentee: false })).toBe('not_valid');
    expect(rulingOfAnswers(set, { importante: false, argumentee: true })).toBe('not_valid');
  });

  it('Holacracy: one unmet criterion makes it « non recevable »', () => {
    const set = VALIDITY_SETS.holacracy;
    for (const q of set.questions) expect(rulingOfAnswers(set, yes(set.questions, [q.id]))).toBe('not_valid');
  });

  it('S3: about this proposal, beyond a preference, and at least one reason to change it', () => {
    const set = VALIDITY_SETS.s3;
    expect(rulingOfAnswers(set, yes(set.questions, ['reveals_harm_or_risk', 'unintended_consequences']))).toBe('valid');
    expect(rulingOfAnswers(set, yes(set.questions, ['reveals_harm_or_risk', 'unintended_consequences', 'worthwhile_improvement']))).toBe('not_valid');
    expect(rulingOfAnswers(set, yes(set.questions, ['beyond_preference']))).toBe('not_valid');
    expect(rulingOfAnswers(set, yes(set.questions, ['about_this_proposal']))).toBe('not_valid');
  });
});
