/**
 * The actions a person can take on a proposal, as named in the interface (French slugs), and
 * which of them the method allows right now. "Allowed now" is asked of the core itself, by
 * trying each candidate command with `decide`: one place holds the rules.
 */
import { decide, isDomainError, openRound, VALIDITY_SETS, type Command, type Proposal } from '../consent/index.ts';

export const ACTIONS = [
  'presenter',
  'ouvrir-clarification',
  'question',
  'repondre',
  'decliner',
  'passer',
  'absent',
  'ouvrir-reactions',
  'reaction',
  'ouvrir-bonification',
  'amender',
  'maintenir',
  'ouvrir-objections',
  'pas-objection',
  'objection',
  'preoccupation',
  'tester',
  'levee',
  'tension-resolue',
  'retirer-objection',
  'reporter-objection',
  'retirer',
  'reporter',
  'passer-la-main',
] as const;

export type ActionName = (typeof ACTIONS)[number];

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** What an action needs besides who and when; ids of new things come from the caller. */
export interface ActionInput {
  text?: string;
  changeNote?: string;
  motivatedBy?: { kind: 'question' | 'reaction' | 'objection'; id: string }[];
  questionId?: string;
  objectionId?: string;
  personId?: string;
  answers?: Record<string, boolean>;
  ruling?: 'valid' | 'not_valid';
  followUpDate?: string;
  reason?: string;
  onBehalfOf?: string;
  /** Round order, computed by the service from who is present. */
  participants?: string[];
  /** Id for the new question, reaction, objection or concern. */
  newId?: string;
}

/** Builds the core command for an action. */
export function toCommand(action: ActionName, actorId: string, at: string, input: ActionInput): Command {
  const base = { actorId, at };
  const behalf = input.onBehalfOf && input.onBehalfOf !== actorId ? { onBehalfOf: input.onBehalfOf } : {};
  const text = input.text ?? '';
  const id = input.newId ?? '';
  const reason = input.reason ? { reason: input.reason } : {};
  switch (action) {
    case 'presenter':
      return { type: 'Present', ...base };
    case 'ouvrir-clarification':
      return { type: 'StartClarificationRound', ...base, participants: input.participants ?? [] };
    case 'question':
      return { type: 'AskQuestion', ...base, ...behalf, questionId: id, text };
    case 'repondre':
      return { type: 'AnswerQuestion', ...base, ...behalf, questionId: input.questionId ?? '', answer: text };
    case 'decliner':
      return { type: 'DeclineQuestion', ...base, ...behalf, questionId: input.questionId ?? '', ...reason };
    case 'passer':
      return { type: 'Pass', ...base, ...behalf };
    case 'absent':
      return { type: 'SkipParticipant', ...base, personId: input.personId ?? '', reason: 'absent' };
    case 'ouvrir-reactions':
      return { type: 'StartReactionRound', ...base, participants: input.participants ?? [] };
    case 'reaction':
      return { type: 'React', ...base, ...behalf, reactionId: id, text };
    case 'ouvrir-bonification':
      return { type: 'StartAmendment', ...base };
    case 'amender':
      return { type: 'AmendProposal', ...base, ...behalf, text, changeNote: input.changeNote ?? '', motivatedBy: input.motivatedBy ?? [] };
    case 'maintenir':
      return { type: 'KeepProposal', ...base, ...behalf };
    case 'ouvrir-objections':
      return { type: 'StartObjectionRound', ...base, participants: input.participants ?? [] };
    case 'pas-objection':
      return { type: 'DeclareNoObjection', ...base, ...behalf };
    case 'objection':
      return { type: 'RaiseObjection', ...base, ...behalf, objectionId: id, reasoning: text };
    case 'preoccupation':
      return { type: 'RecordConcern', ...base, ...behalf, concernId: id, text };
    case 'tester':
      // no ruling: the one the answers lead to; against them, the reason is required by the core
      return { type: 'TestObjection', ...base, objectionId: input.objectionId ?? '', answers: input.answers ?? {}, ...(input.ruling ? { ruling: input.ruling } : {}), ...(input.reason ? { rulingReason: input.reason } : {}) };
    case 'levee':
      return { type: 'ConfirmObjectionLifted', ...base, ...behalf, objectionId: input.objectionId ?? '' };
    case 'tension-resolue':
      return { type: 'ConfirmTensionAnswered', ...base, ...behalf, objectionId: input.objectionId ?? '' };
    case 'retirer-objection':
      return { type: 'WithdrawObjection', ...base, ...behalf, objectionId: input.objectionId ?? '' };
    case 'reporter-objection':
      return { type: 'DeferObjection', ...base, objectionId: input.objectionId ?? '', followUpDate: input.followUpDate ?? '' };
    case 'retirer':
      return { type: 'WithdrawProposal', ...base, ...behalf, ...reason };
    case 'reporter':
      return { type: 'PostponeProposal', ...base, ...reason };
    case 'passer-la-main':
      return { type: 'HandOverFacilitation', ...base };
    default: {
      const unknown: never = action;
      throw new Error(`unknown action ${String(unknown)}`);
    }
  }
}

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
  const tryIt = (action: ActionName, input: ActionInput, target: Omit<AllowedAction, 'action'> = {}) => {
    const result = decide(state, toCommand(action, personId, PROBE_AT, { newId: `probe-${action}`, text: `${PROBE_TEXT} ${current?.text ?? ''}`, changeNote: PROBE_TEXT, participants, ...input }));
    if (!isDomainError(result)) allowed.push({ action, ...target });
  };
  const simple: ActionName[] = ['presenter', 'ouvrir-clarification', 'question', 'passer', 'ouvrir-reactions', 'reaction', 'ouvrir-bonification', 'amender', 'maintenir', 'ouvrir-objections', 'pas-objection', 'objection', 'preoccupation', 'retirer', 'reporter', 'passer-la-main'];
  for (const action of simple) tryIt(action, {});
  for (const q of state.questions.filter((q) => q.response === null)) {
    tryIt('repondre', { questionId: q.id }, { questionId: q.id });
    tryIt('decliner', { questionId: q.id }, { questionId: q.id });
  }
  for (const o of state.objections.filter((o) => o.outcome === null)) {
    tryIt('tester', { objectionId: o.id, answers: fullAnswers }, { objectionId: o.id });
    tryIt('levee', { objectionId: o.id }, { objectionId: o.id });
    tryIt('tension-resolue', { objectionId: o.id }, { objectionId: o.id });
    tryIt('retirer-objection', { objectionId: o.id }, { objectionId: o.id });
    tryIt('reporter-objection', { objectionId: o.id, followUpDate: '2099-12-31' }, { objectionId: o.id });
  }
  const round = openRound(state);
  const holder = round && round.turnIndex < round.order.length ? round.order[round.turnIndex] : undefined;
  if (holder && holder !== personId) {
    tryIt('absent', { personId: holder }, { personId: holder });
    for (const action of ['question', 'passer', 'reaction', 'pas-objection', 'objection', 'preoccupation'] as const) {
      tryIt(action, { onBehalfOf: holder }, { onBehalfOf: holder });
    }
  }
  return allowed;
}
