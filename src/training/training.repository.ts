/** Trainer mode: every query about training sessions, their personas and dot votes. `db` (or a transaction) first. */
import type { Transaction } from 'kysely';
import type { DB, Executor } from '../db/schema.ts';
import type { MeetingRole, MeetingStatus } from '../db/schema-accounts.ts';
import type { TrainingPhase } from '../db/schema-training.ts';
import { insertPersonas, type NewPersona } from './training-personas.repository.ts';

export type { NewPersona, PersonaRow } from './training-personas.repository.ts';

export interface SessionRow {
  meetingId: string;
  title: string;
  circleName: string;
  joinCode: string;
  status: MeetingStatus;
  facilitatorPersonId: string;
  secretaryPersonId: string | null;
  scenarioId: string;
  phase: TrainingPhase;
  votesPerPerson: number;
  createdAt: Date;
  proposalId: string | null;
  autoplaySeconds: number | null;
}

export interface MemberRow {
  personId: string;
  displayName: string;
  role: MeetingRole;
}

export async function listCircles(db: Executor): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('circles').select(['id', 'name']).orderBy('name').execute();
}

export async function circleExists(db: Executor, id: string): Promise<boolean> {
  return !!(await db.selectFrom('circles').select('id').where('id', '=', id).executeTakeFirst());
}

/** A training meeting with its facilitator as member and the scenario's personas, all played by the app. */
export async function insertSession(
  tx: Transaction<DB>,
  s: {
    circleId: string;
    title: string;
    joinCode: string;
    facilitatorPersonId: string;
    scenarioId: string;
    proposalId: string;
    personas: readonly NewPersona[];
  },
): Promise<string> {
  const { id } = await tx
    .insertInto('meetings')
    .values({
      circle_id: s.circleId,
      title: s.title,
      scheduled_for: new Date(),
      join_code: s.joinCode,
      facilitator_person_id: s.facilitatorPersonId,
      created_by: s.facilitatorPersonId,
      is_training: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('meeting_members')
    .values({ meeting_id: id, person_id: s.facilitatorPersonId, role: 'facilitator', is_guest: false, present: true })
    .execute();
  await tx.insertInto('training_sessions').values({ meeting_id: id, scenario_id: s.scenarioId, proposal_id: s.proposalId }).execute();
  await insertPersonas(tx, id, s.personas);
  return id;
}

function sessionQuery(db: Executor) {
  return db
    .selectFrom('training_sessions as t')
    .innerJoin('meetings as m', 'm.id', 't.meeting_id')
    .innerJoin('circles as c', 'c.id', 'm.circle_id')
    .select([
      'm.id',
      'm.title',
      'c.name as circle_name',
      'm.join_code',
      'm.status',
      'm.facilitator_person_id',
      'm.secretary_person_id',
      't.scenario_id',
      't.phase',
      't.votes_per_person',
      't.created_at',
      't.proposal_id',
      't.autoplay_seconds',
    ])
    .where('m.is_training', '=', true);
}

type SessionSelect = Awaited<ReturnType<ReturnType<typeof sessionQuery>['executeTakeFirstOrThrow']>>;

const toSession = (r: SessionSelect): SessionRow => ({
  meetingId: r.id,
  title: r.title,
  circleName: r.circle_name,
  joinCode: r.join_code,
  status: r.status,
  facilitatorPersonId: r.facilitator_person_id,
  secretaryPersonId: r.secretary_person_id,
  scenarioId: r.scenario_id,
  phase: r.phase,
  votesPerPerson: r.votes_per_person,
  createdAt: r.created_at,
  proposalId: r.proposal_id,
  autoplaySeconds: r.autoplay_seconds,
});

/** The training session of a meeting; `lock` holds it until the transaction ends, so commands on one session run one at a time. */
export async function findSession(db: Executor, meetingId: string, options: { lock?: boolean } = {}): Promise<SessionRow | null> {
  let q = sessionQuery(db).where('m.id', '=', meetingId);
  if (options.lock) q = q.forUpdate('t');
  const row = await q.executeTakeFirst();
  return row ? toSession(row) : null;
}

/** Whether a meeting is a training session (for the join redirect). */
export async function isTrainingMeeting(db: Executor, meetingId: string): Promise<boolean> {
  return !!(await db.selectFrom('meetings').select('id').where('id', '=', meetingId).where('is_training', '=', true).executeTakeFirst());
}

export async function listSessions(db: Executor): Promise<SessionRow[]> {
  return (await sessionQuery(db).orderBy('t.created_at', 'desc').limit(50).execute()).map(toSession);
}

export async function findMemberRole(db: Executor, meetingId: string, personId: string): Promise<MeetingRole | null> {
  const row = await db
    .selectFrom('meeting_members')
    .select('role')
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row?.role ?? null;
}

export async function listMembers(db: Executor, meetingId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom('meeting_members as mm')
    .innerJoin('persons as p', 'p.id', 'mm.person_id')
    .select(['mm.person_id', 'p.display_name', 'mm.role'])
    .where('mm.meeting_id', '=', meetingId)
    .where('mm.removed_at', 'is', null)
    .orderBy('mm.joined_at')
    .execute();
  return rows.map((r) => ({ personId: r.person_id, displayName: r.display_name, role: r.role }));
}

/** A member follows the session without taking part (the fishbowl, « bocal »). */
export async function makeObserver(db: Executor, meetingId: string, personId: string): Promise<void> {
  await db.updateTable('meeting_members').set({ role: 'observer' }).where('meeting_id', '=', meetingId).where('person_id', '=', personId).execute();
}

export async function setProposal(db: Executor, meetingId: string, proposalId: string): Promise<void> {
  await db.updateTable('training_sessions').set({ proposal_id: proposalId }).where('meeting_id', '=', meetingId).execute();
}

export async function setAutoplay(db: Executor, meetingId: string, seconds: number | null): Promise<void> {
  await db.updateTable('training_sessions').set({ autoplay_seconds: seconds }).where('meeting_id', '=', meetingId).execute();
}

export async function setPhase(db: Executor, meetingId: string, phase: TrainingPhase): Promise<void> {
  await db.updateTable('training_sessions').set({ phase }).where('meeting_id', '=', meetingId).execute();
}

/** Back to the start: the app's personas at their scripted step, the trainees' to choose again, nothing revealed, no dots. */
export async function resetSession(db: Executor, meetingId: string, scripted: readonly { id: string; position: number }[]): Promise<void> {
  await db.updateTable('training_sessions').set({ phase: 'secret', autoplay_seconds: null }).where('meeting_id', '=', meetingId).execute();
  await db.deleteFrom('training_votes').where('meeting_id', '=', meetingId).execute();
  for (const p of scripted) {
    await db
      .updateTable('training_personas')
      .set({ position: p.position })
      .where('meeting_id', '=', meetingId)
      .where('persona_id', '=', p.id)
      .where('taken_by', 'is', null)
      .execute();
  }
  await db.updateTable('training_personas').set({ position: null }).where('meeting_id', '=', meetingId).where('taken_by', 'is not', null).execute();
}

/** Another scenario for the same room: new personas, all played by the app, a new proposal; the dot vote stays. */
export async function switchScenario(db: Executor, meetingId: string, scenarioId: string, proposalId: string, personas: readonly NewPersona[]): Promise<void> {
  const old = await db.deleteFrom('training_personas').where('meeting_id', '=', meetingId).returning('person_id').execute();
  const oldPersons = old.flatMap((o) => (o.person_id ? [o.person_id] : []));
  if (oldPersons.length)
    await db
      .updateTable('meeting_members')
      .set({ removed_at: new Date(), present: false })
      .where('meeting_id', '=', meetingId)
      .where('person_id', 'in', oldPersons)
      .execute();
  await db
    .updateTable('training_sessions')
    .set({ scenario_id: scenarioId, phase: 'secret', proposal_id: proposalId, autoplay_seconds: null })
    .where('meeting_id', '=', meetingId)
    .execute();
  await insertPersonas(db, meetingId, personas);
}

export async function listVotes(db: Executor, meetingId: string): Promise<{ personId: string; projectId: string; dots: number }[]> {
  const rows = await db.selectFrom('training_votes').select(['person_id', 'project_id', 'dots']).where('meeting_id', '=', meetingId).execute();
  return rows.map((r) => ({ personId: r.person_id, projectId: r.project_id, dots: r.dots }));
}

export async function addDot(db: Executor, meetingId: string, personId: string, projectId: string): Promise<void> {
  await db
    .insertInto('training_votes')
    .values({ meeting_id: meetingId, person_id: personId, project_id: projectId, dots: 1 })
    .onConflict((oc) => oc.columns(['meeting_id', 'person_id', 'project_id']).doUpdateSet((eb) => ({ dots: eb('training_votes.dots', '+', 1) })))
    .execute();
}

/** Takes one dot back; false when there was none on that project. */
export async function removeDot(db: Executor, meetingId: string, personId: string, projectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('training_votes')
    .select('dots')
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!row) return false;
  if (row.dots > 1) {
    await db
      .updateTable('training_votes')
      .set({ dots: row.dots - 1 })
      .where('meeting_id', '=', meetingId)
      .where('person_id', '=', personId)
      .where('project_id', '=', projectId)
      .execute();
  } else {
    await db.deleteFrom('training_votes').where('meeting_id', '=', meetingId).where('person_id', '=', personId).where('project_id', '=', projectId).execute();
  }
  return true;
}
