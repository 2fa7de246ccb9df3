// What follows a turn or an outcome without anyone asking: the end of the objection round, the
// end of testing, the next objection to integrate, adoption.

import type { Event, ProposalAdopted } from '../events.ts';
import { evolve, fold } from '../evolve.ts';
import { requireRound, stateIn } from '../evolution/helpers.ts';
import { currentVersion } from '../state.ts';
import type { DecisionConcern, IntegrationState, ObjectionsState, PersonId, Proposal, Round, TestingState } from '../states.ts';

/** Who and when: a follow-up event is dated and signed like the command that caused it. */
interface Cause {
  at: string;
  actorId: PersonId;
}

/** The last turn of an objection round also ends it: adopted if nobody objected, else testing. */
export function withObjectionRoundEnd(p: ObjectionsState, event: Event): Event[] {
  const next = stateIn(evolve(p, event), event, 'objections');
  const round = requireRound(next.round, event);
  if (round.turnIndex < round.order.length) return [event];
  const raised = next.objections.some((o) => o.round === round.number);
  return [event, raised ? { type: 'ObjectionTestingStarted', at: event.at, actorId: event.actorId, roundNumber: round.number } : adoption(next, round, event)];
}

/** Once every objection of the round is ruled on (or withdrawn), integrate the valid ones or adopt. */
export function afterTestStep(p: TestingState, event: Event, c: Cause): Event[] {
  const next = stateIn(evolve(p, event), event, 'testing');
  const ofRound = next.objections.filter((o) => o.round === next.objectionRound.number);
  if (ofRound.some((o) => o.ruling === null && o.outcome === null)) return [event];
  const firstValid = ofRound.find((o) => o.outcome === null);
  if (firstValid !== undefined) {
    return [event, { type: 'ObjectionIntegrationStarted', at: c.at, actorId: c.actorId, objectionId: firstValid.id }];
  }
  // Every objection has an outcome and the text cannot change during testing.
  return [event, adoption(next, next.objectionRound, c)];
}

/** After the events giving an objection its outcome: move to the next valid one, or leave integration. */
export function afterOutcome(p: IntegrationState, c: Cause, ...events: [Event, ...Event[]]): Event[] {
  const next = stateIn(fold(events, p), events[0], 'integration');
  const open = next.objections.find((o) => o.round === next.objectionRound.number && o.outcome === null);
  if (open !== undefined) {
    return open.id === next.current.objectionId
      ? events
      : [...events, { type: 'ObjectionIntegrationStarted', at: c.at, actorId: c.actorId, objectionId: open.id }];
  }
  const version = currentVersion(next).number;
  if (version > next.objectionRound.versionNumber) {
    // The text changed: consent must be sought again on the new version.
    return [...events, { type: 'IntegrationCompleted', at: c.at, actorId: c.actorId, versionNumber: version }];
  }
  return [...events, adoption(next, next.objectionRound, c)];
}

/** The decision as adopted now: the current version, its concerns, and who was present. */
function adoption(p: Proposal, round: Round, cause: Cause): ProposalAdopted {
  const concerns: DecisionConcern[] = [
    ...p.concerns.map((x) => ({
      id: x.id,
      source: 'concern' as const,
      personId: x.personId,
      text: x.text,
      versionNumber: x.versionNumber,
    })),
    ...p.objections
      .filter((o) => o.outcome === 'not_valid')
      .map((o) => ({
        id: o.id,
        source: 'objection_not_valid' as const,
        personId: o.objectorId,
        text: o.reasoning,
        versionNumber: o.versionNumber,
      })),
  ];
  return {
    type: 'ProposalAdopted',
    at: cause.at,
    actorId: cause.actorId,
    versionNumber: currentVersion(p).number,
    reviewDate: p.reviewDate,
    criteria: p.criteria,
    concerns,
    presentIds: round.turns.filter((t) => t.action.kind !== 'skipped').map((t) => t.personId),
  };
}
