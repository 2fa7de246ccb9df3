// Handlers for amendment and the objection round: the proposer amends or keeps the text, then
// everyone takes a position (no objection, objection or concern).

import { currentVersion, isOnBehalf } from '../state.ts';
import {
  activeRound,
  by,
  ensure,
  inStage,
  isKnownMotivation,
  nextRoundNumber,
  requireFacilitator,
  requireProposer,
  requireSpeaker,
  requireText,
  roundOrder,
  takeTurn,
  type Handlers,
} from './guards.ts';
import { withObjectionRoundEnd } from './transitions.ts';

export const objectionHandlers = {
  AmendProposal: (state, c) => {
    const p = inStage(state, 'amendment', 'integration');
    // Only the proposer changes the text; the secretary may type it for them, nobody else.
    if (isOnBehalf(c)) ensure(c.actorId === p.secretaryId, 'NOT_ALLOWED');
    requireSpeaker(p, c, p.proposerId, 'NOT_PROPOSER');
    requireText(c.text);
    requireText(c.changeNote);
    ensure(c.text !== currentVersion(p).text, 'TEXT_UNCHANGED');
    ensure(
      c.motivatedBy.every((m) => isKnownMotivation(p, m)),
      'UNKNOWN_REFERENCE',
    );
    // During integration every amendment answers the objection being integrated.
    const motivatedBy =
      p.stage === 'integration' && !c.motivatedBy.some((m) => m.kind === 'objection' && m.id === p.current.objectionId)
        ? [...c.motivatedBy, { kind: 'objection' as const, id: p.current.objectionId }]
        : c.motivatedBy;
    return [
      {
        type: 'ProposalAmended',
        ...by(c),
        versionNumber: currentVersion(p).number + 1,
        text: c.text,
        changeNote: c.changeNote,
        motivatedBy,
      },
    ];
  },

  KeepProposal: (state, c) => {
    const p = inStage(state, 'amendment');
    requireProposer(p, c);
    ensure(p.proposerDecision !== 'kept', 'ALREADY_DECIDED');
    return [{ type: 'ProposalKept', ...by(c), versionNumber: currentVersion(p).number }];
  },

  StartObjectionRound: (state, c) => {
    const p = inStage(state, 'amendment', 'objections');
    requireFacilitator(p, c);
    if (p.stage === 'amendment') ensure(p.proposerDecision !== null, 'PROPOSER_UNDECIDED');
    else ensure(p.round === null, 'ROUND_IN_PROGRESS');
    // The proposer takes a position too: no exclusion in the objection round.
    const order = roundOrder(c.participants, null);
    return [
      {
        type: 'ObjectionRoundStarted',
        ...by(c),
        roundNumber: nextRoundNumber(p, 'objection'),
        versionNumber: currentVersion(p).number,
        order,
      },
    ];
  },

  DeclareNoObjection: (state, c) => {
    const p = inStage(state, 'objections');
    takeTurn(p, activeRound(p), c);
    return withObjectionRoundEnd(p, { type: 'NoObjectionDeclared', ...by(c) });
  },

  RaiseObjection: (state, c) => {
    const p = inStage(state, 'objections');
    takeTurn(p, activeRound(p), c);
    requireText(c.reasoning);
    ensure(!p.objections.some((o) => o.id === c.objectionId), 'DUPLICATE_ID');
    return withObjectionRoundEnd(p, { type: 'ObjectionRaised', ...by(c), objectionId: c.objectionId, reasoning: c.reasoning });
  },

  RecordConcern: (state, c) => {
    const p = inStage(state, 'objections');
    takeTurn(p, activeRound(p), c);
    requireText(c.text);
    ensure(!p.concerns.some((x) => x.id === c.concernId), 'DUPLICATE_ID');
    return withObjectionRoundEnd(p, { type: 'ConcernRecorded', ...by(c), concernId: c.concernId, text: c.text });
  },
} satisfies Partial<Handlers>;
