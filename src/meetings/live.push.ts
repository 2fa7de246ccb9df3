/**
 * What a change in a meeting sends down the streams of the participant's and the proposer's views
 * (the many): the new shared region, rendered once for everyone (one render, one write per
 * stream), and `mine` to those whose own part changed (« À vous », the actions allowed), who then
 * fetch that part alone. The composer reads the meeting once per change, whoever is listening.
 */
import { can, type Actor } from '../accounts/policy.ts';
import type { Composer } from '../realtime/sse.ts';
import type { LiveMeetingService } from './live.service.ts';
import type { LiveRenderer, SharedHtml } from './live.render.ts';
import { audienceOf, mineFingerprint, personalize, type SharedLive } from './live.view.ts';
import { meetingFacts } from './meeting.facts.ts';

/** The views whose streams are pushed to; the console and the projection re-fetch (one or two of each). */
export const PUSHED_VIEWS = ['participant', 'porteur'] as const;

/** What a pushed stream shows, for whom; `fingerprint` is what its own part was last drawn from. */
export interface PushContext {
  view: (typeof PUSHED_VIEWS)[number];
  proposalId: string | undefined;
  lang: string;
  actor: Actor & { personId: string };
  fingerprint: string | null;
}

const MINE = Buffer.from('event: mine\ndata: mine\n\n');

/** One SSE message carrying `html`: every line a `data:` line (the browser joins them with \n). */
function liveMessage(html: string): Buffer {
  return Buffer.from(`event: live\ndata: ${html.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`);
}

/** The composer of the live views, over one service and one renderer. */
export function livePush(live: LiveMeetingService, renderer: LiveRenderer): Composer {
  // one encoded message per shared render, shared by every stream it goes to
  const encoded = new WeakMap<SharedHtml, Buffer>();
  return async (meetingId, contexts) => {
    const states = new Map<string, Promise<SharedLive>>();
    return Promise.all(
      (contexts as readonly PushContext[]).map(async (c) => {
        const key = c.proposalId ?? '';
        let state = states.get(key);
        if (!state) states.set(key, (state = live.shared(meetingId, c.proposalId)));
        const s = await state;
        const role = s.members.find((m) => m.personId === c.actor.personId)?.role ?? null;
        const facts = meetingFacts(s.meeting, role);
        // no longer allowed to see it (removed meanwhile): a plain signal, and their fetch is refused
        if (!can(c.actor, { type: 'meeting.view', meeting: facts })) return null;
        const { me, allowed, dotVote } = personalize(c.actor, facts, s);
        const shared = await renderer.shared(s, { view: c.view, lang: c.lang, audience: audienceOf(c.actor, me) });
        if (!renderer.pushable(shared)) return null;
        let message = encoded.get(shared);
        if (!message) encoded.set(shared, (message = liveMessage(shared.html)));
        const fingerprint = mineFingerprint(c.view, s, me, allowed, dotVote);
        const changed = fingerprint !== c.fingerprint;
        c.fingerprint = fingerprint;
        return changed ? [message, MINE] : [message];
      }),
    );
  };
}
