// How the register's events apply to a decision: they add to it, never change its stage.

import { TERMINAL_STAGES } from '../state.ts';
import { stateIn, type Reducers } from './helpers.ts';

export const registerReducers = {
  DecisionPublished: (state, event) => {
    const p = stateIn(state, event, ...TERMINAL_STAGES);
    return { ...p, publication: { at: event.at, by: event.actorId } };
  },

  FormalActRecorded: (state, event) => {
    const p = stateIn(state, event, 'adopted');
    return {
      ...p,
      formalAct: { kind: event.kind, number: event.number, date: event.date, reference: event.reference, recordedAt: event.at, recordedBy: event.actorId },
    };
  },
} satisfies Partial<Reducers>;
