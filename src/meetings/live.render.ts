/**
 * Renders a live view in two parts. The shared part (the stage, the round and its order, what was
 * said, the objections, the text, who is here) is rendered once per (proposal, seq, language, view,
 * audience, state of the meeting) and kept in a small LRU; each person's own part (« À vous », the
 * forms allowed to them, a refused action's message) is rendered into its slots. The shared HTML
 * holds, for each slot, an empty `hx-preserve` placeholder: the event stream carries that HTML to
 * every browser as it is (htmx keeps the person's own part in place), and a full page or fragment
 * fills the slots before it is sent.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import type { Config } from '../config.ts';
import { VALIDITY_SETS, type Proposal } from '../consent/index.ts';
import { AccessDenied } from '../accounts/policy.ts';
import { joinUrl, uuidParam } from '../http/forms.ts';
import type { FieldError } from '../http/validate.ts';
import { translator, isLanguage, type Language } from '../i18n/index.ts';
import { formatDateTime, formatDay, formatMoment } from '../i18n/dates.ts';
import { diffWords, sideBySide } from '../proposals/diff.ts';
import { dotVoteView } from './dot-vote.service.ts';
import type { LiveMeetingService } from './live.service.ts';
import { audienceOf, mineFingerprint, nobody, type SharedLive } from './live.view.ts';

export const VIEWS = ['console', 'participant', 'porteur', 'projection'] as const;
export type ViewName = (typeof VIEWS)[number];

/** Renders one view with its locals (app.render: the app's locals are merged in). */
export type RenderFn = (view: string, locals: Record<string, unknown>) => Promise<string>;

/** res.render without sending: the HTML, with the request's locals (a person's own parts). */
export function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (error, html) => (error ? reject(error) : resolve(html))));
}

/** The person's own parts of a live view, in the order they appear. */
export const SLOTS = ['error', 'turn', 'dots', 'actions'] as const;
export type Slot = (typeof SLOTS)[number];

/** Stands for the session's CSRF token in shared HTML (the console's forms): random, so nobody can type it. */
const CSRF_MARKER = `csrf-${randomBytes(12).toString('hex')}`;
const ANNOUNCE = '<p id="announce" hx-swap-oob="innerHTML">';
const ERROR_SLOT = '<!--live-error-->';

export interface SharedOptions {
  view: string;
  lang: string;
  /** audienceOf(): accounts or guests, who may facilitate, who may draft. */
  audience: string;
  /** Only the projection shows the link to join (and its QR code, drawn once per key). */
  joinUrl?: string;
  qr?: () => Promise<string>;
  /** A form sent back with what was typed (the console's « ajouter »): rendered for this person only, never kept. */
  values?: Record<string, string>;
  fieldErrors?: Record<string, unknown>;
}

export interface SharedHtml {
  /** `#live` with empty slots, then the announcement for screen readers (out of band). */
  html: string;
  /** Where the announcement starts in `html`. */
  announceAt: number;
  /** The address that fetches this view's own part again (`part=mine`). */
  mineUrl: string;
}

/** The empty slot a shared render leaves for a person's own part. */
export function placeholder(slot: Slot, mineUrl: string): string {
  if (slot === 'error') return ERROR_SLOT;
  return `<div id="mine-${slot}" class="mine" hx-preserve hx-get="${mineUrl}" hx-trigger="load" hx-swap="none"></div>`;
}

export function mineUrl(s: SharedLive, view: string): string {
  return `/seances/${s.meeting.id}/${view}?${s.proposal ? `proposition=${s.proposal.proposalId}&amp;` : ''}part=mine`;
}

/** Word-level difference between the last two versions, for the proposer and the projector. */
export function versionDiff(p: Proposal) {
  const n = p.versions.length;
  if (n < 2) return null;
  return diffWords(p.versions[n - 2]!.text, p.versions[n - 1]!.text);
}

/** The locals every live template reads that depend only on the language. */
export function languageLocals(lang: string): Record<string, unknown> {
  const language: Language = isLanguage(lang) ? lang : 'fr';
  return { lang: language, otherLang: language === 'fr' ? 'en' : 'fr', t: translator(language), formatDay, formatMoment, formatDateTime };
}

export class LiveRenderer {
  private readonly cache = new Map<string, Promise<SharedHtml>>();

  constructor(
    private readonly render: RenderFn,
    private readonly max = 64,
  ) {}

  /** The shared part of this view of `s`, rendered at most once per key while it stays in the cache. */
  shared(s: SharedLive, o: SharedOptions): Promise<SharedHtml> {
    const formState = Object.keys(o.values ?? {}).length > 0 || Object.keys(o.fieldErrors ?? {}).length > 0;
    if (formState) return this.draw(s, o);
    const key = cacheKey(s, o);
    let entry = this.cache.get(key);
    if (entry) {
      // most recently used goes last
      this.cache.delete(key);
      this.cache.set(key, entry);
      return entry;
    }
    entry = this.draw(s, o);
    entry.catch(() => this.cache.delete(key));
    this.cache.set(key, entry);
    while (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }

  private async draw(s: SharedLive, o: SharedOptions): Promise<SharedHtml> {
    const url = mineUrl(s, o.view);
    const me = nobody(o.audience[1] === 'f', o.audience[2] === 'd');
    // the dot vote as the room's screen shows it (a person's own dots and forms are a slot)
    const dotVote = dotVoteView(s.dots, null, s.agenda, { facilitate: false, participate: false, closed: s.meeting.status === 'closed' });
    const html = await this.render('meetings/live/_shared', {
      ...languageLocals(o.lang),
      view: o.view,
      m: { ...s, me, allowed: [], dotVote },
      actor: { kind: o.audience[0] === 'a' ? 'account' : 'guest' },
      csrfToken: CSRF_MARKER,
      joinUrl: o.joinUrl ?? '',
      qr: o.qr ? await o.qr() : '',
      validity: s.proposal ? VALIDITY_SETS[s.proposal.validitySet] : null,
      diff: s.proposal ? versionDiff(s.proposal) : null,
      preview: null,
      error: null,
      values: o.values ?? {},
      fieldErrors: o.fieldErrors ?? {},
      motives: [],
      saved: false,
      sideBySide,
      key: () => '',
      name: (id: string) => s.names[id] ?? '—',
      mine: (slot: Slot) => placeholder(slot, url),
      fragment: false,
    });
    return { html, announceAt: html.lastIndexOf(ANNOUNCE), mineUrl: url };
  }

  /** Whether this shared HTML may go to every browser as it is (no form carrying a session's token). */
  pushable(shared: SharedHtml): boolean {
    return !shared.html.includes(CSRF_MARKER);
  }

  /** Number of shared parts kept (for tests and metrics). */
  size(): number {
    return this.cache.size;
  }
}

/**
 * One person's `#live`: the shared HTML with their own parts in its slots, their CSRF token in
 * the console's forms, and their place in the round marked.
 */
export async function fillSlots(
  shared: SharedHtml,
  own: (slot: Slot) => Promise<string>,
  person: { csrfToken: string; personId: string | null },
): Promise<string> {
  let html = shared.html.slice(0, shared.announceAt < 0 ? undefined : shared.announceAt);
  for (const slot of SLOTS) {
    const empty = placeholder(slot, shared.mineUrl);
    if (!html.includes(empty)) continue;
    const inner = await own(slot);
    const full = slot === 'error' ? inner : `<div id="mine-${slot}" class="mine">${inner}</div>`;
    html = html.split(empty).join(full);
  }
  if (html.includes(CSRF_MARKER)) html = html.split(CSRF_MARKER).join(person.csrfToken);
  if (person.personId) html = html.split(`data-person="${person.personId}"`).join(`data-person="${person.personId}" data-me`);
  return html;
}

function cacheKey(s: SharedLive, o: SharedOptions): string {
  // the proposal is named by its seq; the rest of the meeting (who is here, the agenda, the séance, its dot vote) by a digest
  const digest = createHash('sha1')
    .update(JSON.stringify([s.meeting, s.members, s.agenda, s.names, s.dots, o.joinUrl ?? null]))
    .digest('base64');
  return [s.meeting.id, s.proposal?.proposalId ?? '', s.seq, o.view, o.lang, o.audience, digest].join('|');
}

export interface RenderExtra {
  status?: number;
  error?: string | null;
  values?: Record<string, string>;
  fieldErrors?: Record<string, FieldError>;
  preview?: string;
  /** The « Modification motivée par » boxes ticked when the form was sent: they stay ticked. */
  motives?: string[];
}

/**
 * Renders a meeting view (console, participant, porteur, projection): the whole page, only `#live`
 * when htmx asks for it, or only this person's own parts (`part=mine`); a refused action re-renders
 * it with its message and what was typed. What everyone sees comes from the renderer's cache.
 */
export function liveRenderer({ config, live, renderer }: { config: Config; live: LiveMeetingService; renderer: LiveRenderer }) {
  return async function render(req: Request, res: Response, view: ViewName, extra: RenderExtra = {}) {
    const meetingId = uuidParam(req.params.id);
    const proposalId = typeof req.query.proposition === 'string' ? uuidParam(req.query.proposition) : undefined;
    const model = await live.view(req.actor, meetingId, proposalId);
    if (view === 'console' && !model.me.canFacilitate) throw new AccessDenied('forbidden');
    const link = joinUrl(config.publicUrl, req, model.meeting.joinCode);
    const part = req.query.part === 'mine' ? 'mine' : req.get('HX-Target') === 'live' ? 'fragment' : 'page';
    res.vary('HX-Target');
    const values = extra.values ?? {};
    const fieldErrors = extra.fieldErrors ?? {};
    // what everyone sees, rendered once for all; then this person's own parts
    const shared = await renderer.shared(model, {
      view,
      lang: res.locals.lang as string,
      audience: audienceOf(req.actor, model.me),
      values,
      fieldErrors,
      ...(view === 'projection' ? { joinUrl: link, qr: () => QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) } : {}),
    });
    const locals = {
      title: model.meeting.title,
      view,
      m: model,
      joinUrl: link,
      validity: model.proposal ? VALIDITY_SETS[model.proposal.validitySet] : null,
      diff: model.proposal ? versionDiff(model.proposal) : null,
      // The proposer's "preview": the difference the amendment would make, before it is stored.
      preview:
        model.proposal && extra.preview !== undefined ? diffWords(model.proposal.versions[model.proposal.versions.length - 1]!.text, extra.preview) : null,
      error: extra.error ?? null,
      values,
      fieldErrors,
      motives: extra.motives ?? [],
      // after « Enregistrer la nouvelle version »: said once, on the page the proposer comes back to
      saved: req.query.fait === 'version' && !extra.error,
      key: () => randomUUID(),
      sideBySide,
      name: (id: string) => model.names[id] ?? '—',
      bodyClass: view === 'projection' ? 'projector' : `live-${view}`,
      fingerprint: mineFingerprint(view, model, model.me, model.allowed, model.dotVote),
      fragment: part !== 'page',
    };
    const own = (slot: Slot) => renderView(res, 'meetings/live/_mine', { ...locals, slot });
    res.status(extra.status ?? 200);
    if (part === 'mine') {
      // after a change that altered this person's turn or actions: their parts only, out of band
      const inView = SLOTS.filter((s) => s !== 'error' && shared.html.includes(placeholder(s, shared.mineUrl)));
      const slots = await Promise.all(inView.map(async (s) => ({ s, html: await own(s) })));
      return res.render('meetings/live/_mine_oob', { ...locals, slots });
    }
    const liveHtml = await fillSlots(shared, own, { csrfToken: req.csrfToken ?? '', personId: model.me.personId });
    res.render(part === 'fragment' ? 'meetings/live/_fragment' : 'meetings/live/page', { ...locals, liveHtml });
  };
}
