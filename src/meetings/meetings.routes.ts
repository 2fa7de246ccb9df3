import { Router } from 'express';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import { circlesForNewMeeting, createMeeting, listMeetings, removeGuest, secretaryCandidates, showMeeting } from './meeting.service.ts';
import { LIMITS } from '../http/limits.ts';
import { parseForm, text, type FieldError } from '../http/validate.ts';
import { joinUrl, parisLocalToDate, uuidParam } from '../http/forms.ts';
import { notFound } from '../http/errors.ts';
import { sessionsEnded } from '../http/session-end.ts';

const newMeetingForm = z.object({
  circleId: z.uuid({ message: 'validation.choose_circle' }),
  title: text(LIMITS.meetingTitle),
  scheduledFor: z.string().trim().min(1).max(40),
  secretaryId: z.union([z.literal(''), z.uuid()], { message: 'validation.choose_person' }).optional(),
});

/** Meetings, as far as accounts and guests need them now: create, show, remove a guest. */
export function meetingsRouter(db: Kysely<DB>, config: Config): Router {
  const router = Router();

  router.get('/seances', async (req, res) => {
    const meetings = await listMeetings(db, req.actor);
    res.render('meetings/index', { title: res.locals.t('meetings.title'), meetings });
  });

  router.get('/seances/nouvelle', async (req, res) => {
    const circles = await circlesForNewMeeting(db, req.actor);
    const secretaries = await secretaryCandidates(db, req.actor);
    res.render('meetings/new', {
      title: res.locals.t('meetings.new_title'),
      circles,
      secretaries,
      values: { circleId: '', title: '', scheduledFor: '', secretaryId: '' },
      errors: {},
    });
  });

  router.post('/seances/nouvelle', async (req, res) => {
    const circles = await circlesForNewMeeting(db, req.actor); // authorises before reading the form
    const secretaries = await secretaryCandidates(db, req.actor);
    const form = parseForm(newMeetingForm, req.body);
    const render = (errors: Record<string, FieldError>, values: Record<string, string>) =>
      res.status(400).render('meetings/new', {
        title: res.locals.t('meetings.new_title'),
        circles,
        secretaries,
        values: { circleId: '', title: '', scheduledFor: '', secretaryId: '', ...values },
        errors,
      });
    if (!form.ok) return render(form.errors, form.values);
    const scheduledFor = parisLocalToDate(form.data.scheduledFor);
    if (!scheduledFor) return render({ scheduledFor: { key: 'validation.datetime' } }, form.data);
    const result = await createMeeting(db, req.actor, {
      circleId: form.data.circleId,
      title: form.data.title,
      scheduledFor,
      secretaryPersonId: form.data.secretaryId || null,
    });
    if (!result.ok) return render({ [result.field]: { key: result.key } }, form.data);
    res.redirect(303, `/seances/${result.id}`);
  });

  router.get('/seances/:id', async (req, res) => {
    const page = await showMeeting(db, req.actor, uuidParam(req.params.id));
    if (!page) throw notFound();
    res.render('meetings/show', { title: page.meeting.title, ...page, joinUrl: joinUrl(config.publicUrl, req, page.meeting.joinCode) });
  });

  router.post('/seances/:id/invites/:personId/retirer', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const personId = uuidParam(req.params.personId);
    const removed = await removeGuest(db, req.actor, meetingId, personId);
    if (!removed) throw notFound();
    // the guest's open live views close at once, on every instance
    await sessionsEnded(req, { personId });
    res.redirect(303, `/seances/${meetingId}`);
  });

  return router;
}
