import { sql, type Kysely } from 'kysely';

// A command on a proposal may be written in one statement, outside any transaction, from facts read
// just before it without a lock (src/proposals/proposal.service.ts). This check runs inside that
// statement: it locks the meeting and the person's membership (FOR SHARE, until the statement
// commits) and refuses, with serialization_failure (40001, « try again »), when either is no longer
// what the command was decided on. So a séance being closed, or a role being changed, either waits
// for the command or makes it read the facts again, as when the facts were read under a lock.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function command_facts_hold(
      p_meeting uuid, p_person uuid, p_status text, p_facilitator uuid, p_secretary uuid, p_role text
    ) returns boolean language plpgsql as $$
    declare
      v_role text;
    begin
      perform 1 from meetings m
        where m.id = p_meeting and m.status = p_status
          and m.facilitator_person_id = p_facilitator
          and m.secretary_person_id is not distinct from p_secretary
        for share;
      if not found then
        raise exception 'the meeting changed since the command read it' using errcode = 'serialization_failure';
      end if;
      select mm.role into v_role from meeting_members mm
        where mm.meeting_id = p_meeting and mm.person_id = p_person and mm.removed_at is null
        for share;
      if p_role is distinct from v_role then
        raise exception 'the membership changed since the command read it' using errcode = 'serialization_failure';
      end if;
      return true;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function command_facts_hold(uuid, uuid, text, uuid, uuid, text)`.execute(db);
}
