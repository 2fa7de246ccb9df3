// Validation messages say what to do (« Choisissez un cercle »), next to the field, and keep what was typed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { seedAccount, seedCircle, signIn } from '../helpers/auth.ts';
import { parseForm } from '../../src/http/validate.ts';
import { translator } from '../../src/i18n/index.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

describe('validation messages', () => {
  it('when a schema names what to do for its field, then that message wins over the generic one', () => {
    const schema = z.object({ circleId: z.uuid({ message: 'validation.choose_circle' }), title: z.string().min(1).max(5) });
    const result = parseForm(schema, { circleId: '', title: 'beaucoup trop long' });
    if (result.ok) throw new Error('expected a refusal');
    const t = translator('fr');
    expect(t(result.errors.circleId!.key)).toBe('Choisissez un cercle dans la liste.');
    expect(t(result.errors.title!.key, result.errors.title!.params)).toBe('Raccourcissez ce texte à 5 caractères au plus.');
    expect(t('validation.required')).toMatch(/^Remplissez ce champ/);
  });

  it('when a meeting is created without a circle, then the form says to choose one, next to the field, and keeps the title', async () => {
    const app = buildApp(database);
    const admin = await seedAccount(database.db, 'admin');
    await seedCircle(database.db, admin.actor); // a circle exists, so the form is shown
    const facilitator = await seedAccount(database.db, 'facilitator');
    const session = await signIn(app, facilitator.email);
    const res = await session.agent
      .post('/seances/nouvelle')
      .type('form')
      .send({ _csrf: session.csrf, circleId: '', title: 'Budget participatif', scheduledFor: '2027-11-26T14:30' })
      .expect(400);
    expect(res.text).toMatch(/id="f-circleId-error"[^>]*>Choisissez un cercle dans la liste\./);
    expect(res.text).toContain('value="Budget participatif"');
    expect(res.text).not.toContain('Valeur invalide');
    expect(await database.db.selectFrom('meetings').select('id').where('title', '=', 'Budget participatif').execute()).toEqual([]);
  });
});
