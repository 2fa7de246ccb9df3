/**
 * Which actions the method allows a person right now. It is asked of the core itself, by trying
 * each candidate command (built by the action table) with `decide`: one place holds the rules.
 */
import { decide, isDomainError, openRound, VALIDITY_SETS, type Proposal } from '../consent/index.ts';
import { ACTION_TABLE, type ActionName } from './actions.ts';

/** One action the person may take now, with the target it applies to (an objection, a question, a person). */
export interface AllowedAction {
  action: ActionName;
  objectionId?: string;
  questionId?: string;
  personId?: string;
  onBehalfOf?: string;
}

const PROBE_AT = '2000-01-01T00:00:00.000Z';
const PROBE_TEXT = 'probe';

/**
 * Every action `personId` may take now on `state` (for themselves), plus, for the acting
 * facilitator or the secretary, the turn actions they may record for the person holding the floor.
 */
export function allowedActions(state: Proposal, personId: string, presentIds: readonly string[]): AllowedAction[] {
  const allowed: AllowedAction[] = [];
  const participants = presentIds.length ? [...presentIds] : [personId];
  const validity = VALIDITY_SETS[state.validitySet];
  const fullAnswers = Object.fromEntries(validity.questions.map((q) => [q.id, true]));
  const current = state.versions[state.versions.length - 1];
  const meeting = { facilitatorPersonId: state.facilitatorId, secretaryPersonId: state.secretaryId };
  const tryIt = (action: ActionName, fields: Record<string, unknown>, target: Omit<AllowedAction, 'action'> = {}) => {
    const probe = {
      texte: `${PROBE_TEXT} ${current?.text ?? ''}`,
      note: PROBE_TEXT,
      raison: '',
      motive: undefined,
      decision: 'valid',
      reponses: {},
      ...fields,
    };
    const command = ACTION_TABLE[action].toCommand(probe, { actorId: personId, at: PROBE_AT, newId: `probe-${action}`, participants, meeting });
    if (!isDomainError(decide(state, command))) allowed.push({ action, ...target });
  };
  const simple: ActionName[] = [
    'presenter',
    'ouvrir-clarification',
    'question',
    'passer',
    'ouvrir-reactions',
    'reaction',
    'ouvrir-bonification',
    'amender',
    'maintenir',
    'ouvrir-objections',
    'pas-objection',
    'objection',
    'preoccupation',
    'retirer',
    'reporter',
    'passer-la-main',
  ];
  for (const action of simple) tryIt(action, {});
  for (const q of state.questions.filter((q) => q.response === null)) {
    tryIt('repondre', { question: q.id }, { questionId: q.id });
    tryIt('decliner', { question: q.id }, { questionId: q.id });
  }
  for (const o of state.objections.filter((o) => o.outcome === null)) {
    tryIt('tester', { objection: o.id, reponses: fullAnswers }, { objectionId: o.id });
    tryIt('levee', { objection: o.id }, { objectionId: o.id });
    tryIt('tension-resolue', { objection: o.id }, { objectionId: o.id });
    tryIt('retirer-objection', { objection: o.id }, { objectionId: o.id });
    tryIt('reporter-objection', { objection: o.id, date: '2099-12-31' }, { objectionId: o.id });
  }
  const round = openRound(state);
  const holder = round && round.turnIndex < round.order.length ? round.order[round.turnIndex] : undefined;
  if (holder && holder !== personId) {
    tryIt('absent', { personne: holder }, { personId: holder });
    for (const action of ['question', 'passer', 'reaction', 'pas-objection', 'objection', 'preoccupation'] as const) {
      tryIt(action, { pour: holder }, { onBehalfOf: holder });
    }
  }
  return allowed;
}
