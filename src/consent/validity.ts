// Validity question sets are data, not code: a group chooses its set, and the facilitator
// records an answer to each question when testing an objection. The test judges only
// whether arguments were given, not whether they are right.

import type { ValiditySetId } from './states.ts';

export interface ValidityQuestion {
  id: string;
  fr: string;
  en: string;
}

export interface ValiditySet {
  id: ValiditySetId;
  label: { fr: string; en: string };
  questions: readonly ValidityQuestion[];
  /**
   * When the answers make the objection valid (recevable): every question of `all` answered yes,
   * and, if `any` is given, at least one of its questions answered yes.
   */
  validWhen: { all: readonly string[]; any?: readonly string[] };
}

/** The three validity question sets that ship, keyed by id. */
export const VALIDITY_SETS: Readonly<Record<ValiditySetId, ValiditySet>> = {
  holacracy: {
    id: 'holacracy',
    label: { fr: 'Les quatre critères de l’holacratie', en: 'Holacracy’s four criteria' },
    questions: [
      {
        id: 'reduces_capacity',
        fr: 'La proposition réduirait-elle la capacité du groupe à remplir sa raison d’être, ou causerait-elle un tort ?',
        en: 'Would the proposal reduce the group’s capacity to fulfil its purpose, or cause harm?',
      },
      {
        id: 'limits_role',
        fr: 'L’objection porte-t-elle sur un rôle de l’objecteur ou de l’objectrice, que la proposition limiterait ?',
        en: 'Does the objection concern one of the objector’s roles, which the proposal would limit?',
      },
      {
        id: 'created_by_proposal',
        fr: 'La tension n’existerait-elle pas sans la proposition (créée par elle, et non préexistante) ?',
        en: 'Would the tension not exist without the proposal (created by it, not pre-existing)?',
      },
      {
        id: 'present_data',
        fr: 'L’objection repose-t-elle sur des faits présents, ou le tort pourrait-il survenir avant qu’on puisse s’adapter (la proposition n’est alors pas suffisamment sûre pour être essayée) ?',
        en: 'Is the objection based on present data, or could the harm occur before we can adapt (not safe enough to try)?',
      },
    ],
    validWhen: { all: ['reduces_capacity', 'limits_role', 'created_by_proposal', 'present_data'] },
  },
  s3: {
    id: 's3',
    label: { fr: 'Les questions de Sociocratie 3.0', en: 'Sociocracy 3.0 questions' },
    questions: [
      {
        id: 'about_this_proposal',
        fr: 'L’argument porte-t-il sur cette proposition précise ?',
        en: 'Does the argument relate to this specific proposal?',
      },
      {
        id: 'reveals_harm_or_risk',
        fr: 'Révèle-t-il un tort ou un risque que la proposition ferait courir ?',
        en: 'Does it reveal a harm or a risk the proposal would create?',
      },
      {
        id: 'unintended_consequences',
        fr: 'Révèle-t-il des conséquences non voulues que l’on souhaite éviter ?',
        en: 'Does it reveal unintended consequences we want to avoid?',
      },
      {
        id: 'worthwhile_improvement',
        fr: 'Révèle-t-il une amélioration qui vaut la peine d’être faite maintenant ?',
        en: 'Does it reveal a worthwhile way to improve the proposal now?',
      },
      {
        id: 'beyond_preference',
        fr: 'Va-t-il au-delà d’une supposition ou d’une préférence personnelle ?',
        en: 'Does it go beyond an assumption or a personal preference?',
      },
    ],
    // about this proposal, beyond a preference, and revealing at least one reason to change it
    validWhen: { all: ['about_this_proposal', 'beyond_preference'], any: ['reveals_harm_or_risk', 'unintended_consequences', 'worthwhile_improvement'] },
  },
  importante_argumentee: {
    id: 'importante_argumentee',
    label: { fr: 'Importante et argumentée', en: 'Important and reasoned' },
    questions: [
      { id: 'importante', fr: 'L’objection est-elle importante ?', en: 'Is the objection important?' },
      { id: 'argumentee', fr: 'Est-elle argumentée ?', en: 'Is it reasoned?' },
    ],
    validWhen: { all: ['importante', 'argumentee'] },
  },
};

/** Whether `id` names a shipped validity set (commands arrive from untyped forms). */
export function isValiditySetId(id: string): id is ValiditySetId {
  return Object.hasOwn(VALIDITY_SETS, id);
}

/** The ruling the answers of a validity test lead to (the facilitator may depart from it only with a reason). */
export function rulingOfAnswers(set: ValiditySet, answers: Readonly<Record<string, boolean>>): 'valid' | 'not_valid' {
  const yes = (id: string) => answers[id] === true;
  const { all, any } = set.validWhen;
  return all.every(yes) && (!any || any.some(yes)) ? 'valid' : 'not_valid';
}
