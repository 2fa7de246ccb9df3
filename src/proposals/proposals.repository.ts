/** Read models of proposals: the only SQL that writes or reads proposals, versions, rounds, contributions, objections. */
import { sql } from 'kysely';
import type { Event, Objection, Proposal, Round, State } from '../consent/index.ts';
import { openRound } from '../consent/index.ts';
import type { Executor } from '../db/schema.ts';
import type { Write } from '../db/together.ts';
import { foldTail, type Snapshot } from './snapshots.ts';

export interface ProposalHead {
  state: Proposal;
  meetingId: string | null;
  lastSeq: number;
  lastHash: string;
}

/** The columns of a head: its snapshot, the events since (a JSON array, oldest first) and the head of the chain. */
export function headColumns(db: Executor, proposalId: string) {
  return db
    .selectFrom('proposals')
    .select((eb) => [
      'proposals.state',
      'proposals.meeting_id',
      'proposals.last_seq',
      'proposals.last_hash',
      eb
        .selectFrom('events')
        .select(sql<Event[]>`coalesce(json_agg(events.data order by events.seq), '[]'::json)`.as('tail'))
        .whereRef('events.stream_id', '=', 'proposals.id')
        .whereRef('events.seq', '>', 'proposals.state_seq')
        .as('tail'),
    ])
    .where('proposals.id', '=', proposalId);
}

/** A head as read by headColumns: the snapshot with its tail folded. */
export function toHead(row: { state: object; meeting_id: string | null; last_seq: number; last_hash: string; tail: Event[] | null }): ProposalHead {
  return { state: foldTail(row.state as Proposal, row.tail ?? []), meetingId: row.meeting_id, lastSeq: row.last_seq, lastHash: row.last_hash };
}

/** The current state (the snapshot and the events since, folded) and the head of the chain, read in one query. */
export async function loadHead(db: Executor, proposalId: string): Promise<ProposalHead | null> {
  const row = await headColumns(db, proposalId).executeTakeFirst();
  return row ? toHead(row) : null;
}

export interface AgendaRow {
  id: string;
  title: string;
  stage: string;
  proposerId: string;
  lastSeq: number;
}

/** The meeting's proposals in the order they were drafted: titles and stages, not their states. */
export async function listAgenda(db: Executor, meetingId: string): Promise<AgendaRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .leftJoin('agenda_order', 'agenda_order.proposal_id', 'proposals.id')
    .select(['proposals.id', 'proposals.title', 'proposals.stage', 'proposals.proposer_id', 'proposals.last_seq'])
    .where('proposals.meeting_id', '=', meetingId)
    // the order a dot vote stored, then the items put on it since, as they came
    .orderBy(sql`agenda_order.rank asc nulls last`)
    .orderBy('proposals.created_at')
    .orderBy('proposals.id')
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, stage: r.stage, proposerId: r.proposer_id, lastSeq: r.last_seq }));
}

/** The head of the chain every proposal (or each of `ids`) records (`last_seq`, `last_hash`), for verification. */
export async function listRecordedHeads(db: Executor, ids?: readonly string[]): Promise<{ proposalId: string; lastSeq: number; lastHash: string }[]> {
  if (ids && ids.length === 0) return [];
  let query = db.selectFrom('proposals').select(['id', 'last_seq', 'last_hash']).orderBy('id');
  if (ids) query = query.where('id', 'in', [...ids]);
  const rows = await query.execute();
  return rows.map((r) => ({ proposalId: r.id, lastSeq: r.last_seq, lastHash: r.last_hash }));
}

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

/** Who ruled each tested objection of a proposal, and when (the folded state keeps the ruling, not its author). */
export async function listRulings(db: Executor, proposalId: string): Promise<{ objectionId: string; ruledBy: string; ruledAt: string }[]> {
  const rows = await db
    .selectFrom('objections')
    .select(['id', 'ruled_by', 'ruled_at'])
    .where('proposal_id', '=', proposalId)
    .where('ruled_by', 'is not', null)
    .execute();
  return rows.map((r) => ({ objectionId: r.id, ruledBy: r.ruled_by!, ruledAt: new Date(r.ruled_at!).toISOString() }));
}
