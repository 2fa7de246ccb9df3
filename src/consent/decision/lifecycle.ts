// Handlers for a proposal's life as a whole: creation, presentation, and what may happen in any
// live stage (withdrawal, postponement, handing facilitation over).

import { LIVE_STAGES } from '../state.ts';
import { isValiditySetId } from '../validity.ts';
import { by, ensure, inStage, isIsoDate, openObjectionIds, requireFacilitator, requireProposer, requireText, type Handlers } from './guards.ts';

export const lifecycleHandlers = {
  CreateProposal: (state, c) => {
    ensure(state === null, 'ALREADY_EXISTS');
    for (const text of [c.title, c.tension, c.text]) requireText(text);
    ensure(isValiditySetId(c.validitySet), 'UNKNOWN_VALIDITY_SET');
    ensure(c.reviewDate === null || isIsoDate(c.reviewDate), 'INVALID_DATE');
    return [
      {
        type: 'ProposalCreated',
        at: c.at,
        actorId: c.actorId,
        proposalId: c.proposalId,
        proposerId: c.proposerId,
        facilitatorId: c.facilitatorId,
        secretaryId: c.secretaryId,
        title: c.title,
        tension: c.tension,
        text: c.text,
        criteria: c.criteria,
        reviewDate: c.reviewDate,
        validitySet: c.validitySet,
        ...(c.revises === undefined ? {} : { revises: c.revises }),
      },
    ];
  },

  Present: (state, c) => {
    const p = inStage(state, 'draft');
    ensure(c.actorId === p.actingFacilitatorId || c.actorId === p.proposerId, 'NOT_ALLOWED');
    return [{ type: 'ProposalPresented', ...by(c) }];
  },

  WithdrawProposal: (state, c) => {
    const p = inStage(state, ...LIVE_STAGES);
    requireProposer(p, c);
    return [
      {
        type: 'ProposalWithdrawn',
        ...by(c),
        ...(c.reason === undefined ? {} : { reason: c.reason }),
        closedObjectionIds: openObjectionIds(p),
      },
    ];
  },

  PostponeProposal: (state, c) => {
    const p = inStage(state, ...LIVE_STAGES);
    requireFacilitator(p, c);
    return [
      {
        type: 'ProposalPostponed',
        ...by(c),
        ...(c.reason === undefined ? {} : { reason: c.reason }),
        closedObjectionIds: openObjectionIds(p),
      },
    ];
  },

  HandOverFacilitation: (state, c) => {
    const p = inStage(state, ...LIVE_STAGES);
    requireFacilitator(p, c);
    ensure(p.secretaryId !== null, 'NO_SECRETARY');
    ensure(p.actingFacilitatorId !== p.secretaryId, 'ALREADY_FACILITATING');
    return [{ type: 'FacilitationHandedOver', ...by(c), toPersonId: p.secretaryId }];
  },
} satisfies Partial<Handlers>;
