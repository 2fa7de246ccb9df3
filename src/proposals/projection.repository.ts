/** The read models each event writes (proposals, versions, rounds, contributions, objections): the only SQL that writes them. */
import type { Event, Objection, Proposal, Round, State } from '../consent/index.ts';
import { openRound } from '../consent/index.ts';
import type { Executor } from '../db/schema.ts';
import type { Write } from '../db/together.ts';
import type { Snapshot } from './snapshots.ts';

export interface SequencedEvent {
  seq: number;
  event: Event;
}

export interface Projection {
  /** The state to store, when the batch reached a snapshot point; null leaves the stored one. */
  snapshot: Snapshot | null;
  before: State;
  after: Proposal;
  events: readonly SequencedEvent[];
  /** The round open just before each event (the service folds them one by one anyway). */
  openRounds: readonly (Round | null)[];
  meetingId: string | null;
  lastSeq: number;
  lastHash: string;
}

const CONTRIBUTION_KINDS: Partial<Record<Event['type'], string>> = {
  QuestionAsked: 'question',
  QuestionAnswered: 'answer',
  QuestionDeclined: 'declined',
  TurnPassed: 'pass',
  ParticipantSkipped: 'skipped',
  ReactionGiven: 'reaction',
  NoObjectionDeclared: 'no_objection',
  ObjectionRaised: 'objection',
  ConcernRecorded: 'concern',
};

function allRounds(p: Proposal): Round[] {
  const open = openRound(p);
  const rounds = [...p.pastRounds];
  if (open && !rounds.some((r) => r.kind === open.kind && r.number === open.number)) rounds.push(open);
  return rounds;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The writes that bring the read models in line with the new state, built but not run (the
 * projection runs them one after the other, the proposal service may send them as one statement,
 * src/db/together.ts). Versions, rounds and objections are written from the state (what changed
 * since `before`), so the tables can never disagree with the fold; contributions are one row per
 * speaking event.
 */
export function projectionWrites(db: Executor, p: Projection): Write[] {
  const writes: Write[] = [];
  const { after } = p;
  const before = p.before;
  const closedAt = after.stage === 'adopted' ? after.decision.adoptedAt : after.stage === 'withdrawn' || after.stage === 'postponed' ? after.closed.at : null;
  const lastAt = p.events[p.events.length - 1]?.event.at ?? after.createdAt;
  const row = {
    title: after.title,
    tension: after.tension,
    criteria: after.criteria,
    review_date: after.reviewDate,
    validity_set: after.validitySet,
    stage: after.stage,
    proposer_id: after.proposerId,
    facilitator_id: after.facilitatorId,
    acting_facilitator_id: after.actingFacilitatorId,
    secretary_id: after.secretaryId,
    current_version: after.versions.length,
    updated_at: lastAt,
    closed_at: closedAt,
    last_seq: p.lastSeq,
    last_hash: p.lastHash,
    published_at: 'publication' in after && after.publication ? after.publication.at : null,
    revises_id: after.revises ?? null,
  };
  const snapshot = p.snapshot ? { state: JSON.stringify(p.snapshot.state), state_seq: p.snapshot.seq } : null;
  if (before === null) {
    if (!snapshot) throw new Error('a new proposal needs the snapshot of its first event');
    writes.push(db.insertInto('proposals').values({ id: after.proposalId, meeting_id: p.meetingId, created_at: after.createdAt, ...row, ...snapshot }));
  } else {
    writes.push(
      db
        .updateTable('proposals')
        .set({ ...row, ...snapshot })
        .where('id', '=', after.proposalId),
    );
  }

  const knownVersions = before?.versions.length ?? 0;
  const newVersions = after.versions.slice(knownVersions);
  if (newVersions.length) {
    writes.push(
      db.insertInto('proposal_versions').values(
        newVersions.map((v) => ({
          proposal_id: after.proposalId,
          number: v.number,
          text: v.text,
          change_note: v.changeNote || null,
          motivated_by: JSON.stringify(v.motivatedBy),
          author_id: v.authorId,
          recorded_by: v.recordedBy ?? null,
          created_at: v.createdAt,
        })),
      ),
    );
  }

  const previousRounds = before ? allRounds(before) : [];
  const nowOpen = openRound(after);
  for (const round of allRounds(after)) {
    const old = previousRounds.find((r) => r.kind === round.kind && r.number === round.number);
    const completed = !(nowOpen && nowOpen.kind === round.kind && nowOpen.number === round.number) || round.turns.length === round.order.length;
    const completedAt = completed ? (round.turns[round.turns.length - 1]?.at ?? lastAt) : null;
    if (!old) {
      writes.push(
        db.insertInto('rounds').values({
          proposal_id: after.proposalId,
          kind: round.kind,
          number: round.number,
          version_number: round.versionNumber,
          turn_order: JSON.stringify(round.order),
          started_at: round.startedAt,
          started_by: round.startedBy,
          completed_at: completedAt,
        }),
      );
    } else if (completedAt && !same(old.turns, round.turns)) {
      writes.push(
        db
          .updateTable('rounds')
          .set({ completed_at: completedAt })
          .where('proposal_id', '=', after.proposalId)
          .where('kind', '=', round.kind)
          .where('number', '=', round.number)
          .where('completed_at', 'is', null),
      );
    }
  }

  writes.push(...objectionWrites(db, after.proposalId, before?.objections ?? [], after.objections));

  // Contributions: the round each one belongs to is the round open when it was said.
  const rows = [];
  for (const [index, { seq, event }] of p.events.entries()) {
    const kind = CONTRIBUTION_KINDS[event.type];
    const round = p.openRounds[index] ?? null;
    if (kind) {
      const e = event as Event & {
        questionId?: string;
        reactionId?: string;
        objectionId?: string;
        concernId?: string;
        text?: string;
        answer?: string;
        reasoning?: string;
        reason?: string;
        personId?: string;
      };
      rows.push({
        proposal_id: after.proposalId,
        round_kind: round?.kind ?? null,
        round_number: round?.number ?? null,
        event_seq: seq,
        kind,
        ref_id: e.questionId ?? e.reactionId ?? e.objectionId ?? e.concernId ?? null,
        person_id: e.personId ?? e.onBehalfOf ?? e.actorId,
        recorded_by: e.onBehalfOf ? e.actorId : event.type === 'ParticipantSkipped' ? event.actorId : null,
        body: e.text ?? e.answer ?? e.reasoning ?? e.reason ?? null,
        in_reply_to: event.type === 'QuestionAnswered' || event.type === 'QuestionDeclined' ? event.questionId : null,
        created_at: event.at,
      });
    }
    if (event.type === 'ObjectionTested') {
      writes.push(
        db
          .updateTable('objections')
          .set({ ruled_by: event.actorId, ruled_at: event.at, ruling_reason: event.rulingReason ?? null })
          .where('proposal_id', '=', after.proposalId)
          .where('id', '=', event.objectionId),
      );
    }
  }
  if (rows.length) writes.push(db.insertInto('contributions').values(rows));
  return writes;
}

function objectionWrites(db: Executor, proposalId: string, before: readonly Objection[], after: readonly Objection[]): Write[] {
  const writes: Write[] = [];
  for (const o of after) {
    const old = before.find((b) => b.id === o.id);
    if (old && same(old, o)) continue;
    const values = {
      test_answers: o.answers ? JSON.stringify(o.answers) : null,
      ruling: o.ruling,
      outcome: o.outcome,
      decided_by: o.decidedBy,
      decided_at: o.decidedAt,
      follow_up_date: o.followUpDate,
    };
    if (!old) {
      writes.push(
        db.insertInto('objections').values({
          id: o.id,
          proposal_id: proposalId,
          round_number: o.round,
          version_number: o.versionNumber,
          objector_id: o.objectorId,
          recorded_by: o.recordedBy ?? null,
          reasoning: o.reasoning,
          raised_at: o.raisedAt,
          ruled_by: null,
          ruled_at: null,
          ...values,
        }),
      );
    } else {
      writes.push(db.updateTable('objections').set(values).where('proposal_id', '=', proposalId).where('id', '=', o.id));
    }
  }
  return writes;
}
