/**
 * Renders a meeting view (console, participant, porteur, projection): the whole page, or only
 * `#live` when htmx asks for it; a refused action re-renders it with its message and what was typed.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import type { Config } from '../config.ts';
import { VALIDITY_SETS, type Proposal } from '../consent/index.ts';
import { AccessDenied } from '../accounts/policy.ts';
import { joinUrl, uuidParam } from '../http/forms.ts';
import type { FieldError } from '../http/validate.ts';
import { diffWords, sideBySide } from '../proposals/diff.ts';
import type { LiveMeetingService } from './live.service.ts';

export const VIEWS = ['console', 'participant', 'porteur', 'projection'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface RenderExtra {
  status?: number;
  error?: string | null;
  values?: Record<string, string>;
  fieldErrors?: Record<string, FieldError>;
  preview?: string;
  /** The « Modification motivée par » boxes ticked when the form was sent: they stay ticked. */
  motives?: string[];
}

export function liveRenderer({ config, live }: { config: Config; live: LiveMeetingService }) {
  return async function render(req: Request, res: Response, view: ViewName, extra: RenderExtra = {}) {
    const meetingId = uuidParam(req.params.id);
    const proposalId = typeof req.query.proposition === 'string' ? uuidParam(req.query.proposition) : undefined;
    const model = await live.view(req.actor, meetingId, proposalId);
    if (view === 'console' && !model.me.canFacilitate) throw new AccessDenied('forbidden');
    const link = joinUrl(config.publicUrl, req, model.meeting.joinCode);
    const qr = view === 'projection' ? await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) : '';
    const fragment = req.get('HX-Target') === 'live';
    res.vary('HX-Target');
    res.status(extra.status ?? 200).render(fragment ? 'meetings/live/_live' : 'meetings/live/page', {
      title: model.meeting.title,
      view,
      m: model,
      joinUrl: link,
      qr,
      validity: model.proposal ? VALIDITY_SETS[model.proposal.validitySet] : null,
      diff: model.proposal ? versionDiff(model.proposal) : null,
      // The proposer's "preview": the difference the amendment would make, before it is stored.
      preview:
        model.proposal && extra.preview !== undefined ? diffWords(model.proposal.versions[model.proposal.versions.length - 1]!.text, extra.preview) : null,
      error: extra.error ?? null,
      values: extra.values ?? {},
      fieldErrors: extra.fieldErrors ?? {},
      motives: extra.motives ?? [],
      // after « Enregistrer la nouvelle version »: said once, on the page the proposer comes back to
      saved: req.query.fait === 'version' && !extra.error,
      key: () => randomUUID(),
      sideBySide,
      name: (id: string) => model.names[id] ?? '—',
      bodyClass: view === 'projection' ? 'projector' : `live-${view}`,
      fragment,
    });
  };
}

/** Word-level difference between the last two versions, for the proposer and the projector. */
function versionDiff(p: Proposal) {
  const n = p.versions.length;
  if (n < 2) return null;
  return diffWords(p.versions[n - 2]!.text, p.versions[n - 1]!.text);
}
