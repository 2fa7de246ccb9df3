/** Trainer mode: the personas of a session, who plays them and where they stand. `db` (or a transaction) first. */
import type { Executor } from '../db/schema.ts';

export interface PersonaRow {
  personaId: string;
  position: number | null;
  takenBy: string | null;
  takenByName: string | null;
  /** Who speaks for the persona in the proposal. */
  personId: string | null;
  /** Taken over by the trainer: the app does not play it. */
  held: boolean;
}

/** A persona as the session plays it: its scripted step and the name its persons row carries. */
export interface NewPersona {
  id: string;
  name: string;
  position: number;
}

/**
 * Each persona is a person of the séance (present, without a device of its own), so the consent
 * core sees its turns like anyone's; its persons row is the session's, never an account.
 */
export async function insertPersonas(tx: Executor, meetingId: string, personas: readonly NewPersona[]): Promise<void> {
  if (personas.length === 0) return;
  const persons = await tx
    .insertInto('persons')
    .values(personas.map((p) => ({ display_name: p.name })))
    .returning('id')
    .execute();
  await tx
    .insertInto('meeting_members')
    .values(persons.map((p) => ({ meeting_id: meetingId, person_id: p.id, role: 'participant' as const, is_guest: true, present: true, has_device: false })))
    .execute();
  await tx
    .insertInto('training_personas')
    .values(personas.map((p, i) => ({ meeting_id: meetingId, persona_id: p.id, ordinal: i, position: p.position, taken_by: null, person_id: persons[i]!.id })))
    .execute();
}

export async function listPersonas(db: Executor, meetingId: string): Promise<PersonaRow[]> {
  const rows = await db
    .selectFrom('training_personas as tp')
    .leftJoin('persons as p', 'p.id', 'tp.taken_by')
    .select(['tp.persona_id', 'tp.position', 'tp.taken_by', 'p.display_name', 'tp.person_id', 'tp.held'])
    .where('tp.meeting_id', '=', meetingId)
    .orderBy('tp.ordinal')
    .execute();
  return rows.map((r) => ({
    personaId: r.persona_id,
    position: r.position,
    takenBy: r.taken_by,
    takenByName: r.display_name,
    personId: r.person_id,
    held: r.held,
  }));
}

/** Frees whatever persona the person plays. */
export async function releasePersonasOf(db: Executor, meetingId: string, personId: string): Promise<void> {
  await db.updateTable('training_personas').set({ taken_by: null }).where('meeting_id', '=', meetingId).where('taken_by', '=', personId).execute();
}

/** Takes a free persona (taken by no one, not held by the trainer), its position cleared for the trainee to choose; false when it is not free (or does not exist). */
export async function takePersona(db: Executor, meetingId: string, personaId: string, personId: string): Promise<boolean> {
  const r = await db
    .updateTable('training_personas')
    .set({ taken_by: personId, position: null, held: false })
    .where('meeting_id', '=', meetingId)
    .where('persona_id', '=', personaId)
    .where('taken_by', 'is', null)
    // a persona the trainer holds is the trainer's until given back
    .where('held', '=', false)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** The trainer takes a persona back: the app plays it again. */
export async function reclaimPersona(db: Executor, meetingId: string, personaId: string): Promise<boolean> {
  const r = await db
    .updateTable('training_personas')
    .set({ taken_by: null, held: false })
    .where('meeting_id', '=', meetingId)
    .where('persona_id', '=', personaId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** The trainer takes over a persona (from the app or from a trainee): nobody else plays it until released. */
export async function holdPersona(db: Executor, meetingId: string, personaId: string): Promise<boolean> {
  const r = await db
    .updateTable('training_personas')
    .set({ taken_by: null, held: true })
    .where('meeting_id', '=', meetingId)
    .where('persona_id', '=', personaId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function setPosition(db: Executor, meetingId: string, personaId: string, position: number | null): Promise<boolean> {
  const r = await db
    .updateTable('training_personas')
    .set({ position })
    .where('meeting_id', '=', meetingId)
    .where('persona_id', '=', personaId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
