// Handlers for what the register adds to a decision once taken: its publication, and the formal
// act (délibération or arrêté) that made it binding. Who may issue them (a facilitator or an
// admin account) is the shell's policy; the method says when.

import { TERMINAL_STAGES } from '../state.ts';
import { ensure, inStage, isIsoDate, requireText, type Handlers } from './guards.ts';

export const registerHandlers = {
  PublishDecision: (state, c) => {
    const p = inStage(state, ...TERMINAL_STAGES);
    ensure(p.publication === undefined, 'ALREADY_PUBLISHED');
    return [{ type: 'DecisionPublished', at: c.at, actorId: c.actorId }];
  },

  RecordFormalAct: (state, c) => {
    const p = inStage(state, 'adopted');
    ensure(c.kind === 'deliberation' || c.kind === 'arrete', 'UNKNOWN_ACT_KIND');
    requireText(c.number);
    ensure(isIsoDate(c.date), 'INVALID_DATE');
    const act = p.formalAct;
    ensure(!act || act.kind !== c.kind || act.number !== c.number || act.date !== c.date || act.reference !== c.reference, 'FORMAL_ACT_UNCHANGED');
    return [{ type: 'FormalActRecorded', at: c.at, actorId: c.actorId, kind: c.kind, number: c.number, date: c.date, reference: c.reference }];
  },
} satisfies Partial<Handlers>;
