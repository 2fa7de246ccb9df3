/** Circles (the groups that hold séances): the only SQL about them. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';

export interface Circle {
  id: string;
  name: string;
  description: string;
}

export async function listCircles(db: Executor): Promise<Circle[]> {
  return db.selectFrom('circles').select(['id', 'name', 'description']).orderBy('name').execute();
}

export async function findCircle(db: Executor, id: string): Promise<Circle | null> {
  return (await db.selectFrom('circles').select(['id', 'name', 'description']).where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function findCircleByName(db: Executor, name: string): Promise<Circle | null> {
  return (
    (await db
      .selectFrom('circles')
      .select(['id', 'name', 'description'])
      .where(sql`lower(name)`, '=', name.toLowerCase())
      .executeTakeFirst()) ?? null
  );
}

export async function insertCircle(db: Executor, c: { name: string; description: string }): Promise<string> {
  const r = await db.insertInto('circles').values(c).returning('id').executeTakeFirstOrThrow();
  return r.id;
}
