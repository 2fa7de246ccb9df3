import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { SIGN_IN_THROTTLE } from '../../src/accounts/throttle.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, seedAccount, seedCircle, seedMeeting } from '../helpers/auth.ts';

let database: TestDatabase;
let app: Express;
let code: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  ({ code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor)));
});
afterAll(async () => {
  await database.dispose();
});

describe('guessing join codes', () => {
  it('when one address keeps trying wrong codes, then it is throttled with a French message, even with the right code, and nobody joins', async () => {
    const agent = request.agent(app);
    const csrf = csrfOf((await agent.get('/rejoindre').expect(200)).text);
    const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    for (let i = 0; i < SIGN_IN_THROTTLE.perAddress; i++) {
      const res = await agent.post('/rejoindre').type('form').send({ _csrf: csrf, code: wrong, displayName: 'Devineur' });
      expect(res.status).toBe(404);
    }
    const refused = await agent.post('/rejoindre').type('form').send({ _csrf: csrf, code, displayName: 'Devineur' });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Trop de codes erronés');
    const members = await database.db.selectFrom('meeting_members').select('person_id').where('role', '=', 'participant').execute();
    expect(members).toEqual([]);
  });
});
