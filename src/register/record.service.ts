/** One decision record (relevé de décision): everything the register keeps about a decided proposal. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../accounts/policy.ts';
import { VALIDITY_SETS } from '../consent/index.ts';
import { diffWords, type DiffPart } from '../proposals/diff.ts';
import { decisionContributions, decisionEvents, decisionObjections, decisionVersions, findDecision } from './register.repository.ts';
import { personNames } from '../accounts/accounts.repository.ts';
import { authorizeScope, toSummary, type DecisionSummary, type Scope } from './register.service.ts';
import { parisToday } from '../i18n/dates.ts';

export interface Said {
  id: string | null;
  by: string;
  /** who typed it for them (« saisi pour … »), if someone did */
  recordedBy: string | null;
  text: string;
  at: Date;
}

/** A concern the decision keeps: raised as one, or an objection ruled not valid (kept as a concern). */
export interface RecordConcern extends Said {
  source: 'concern' | 'objection_not_valid';
}

export interface RecordObjection extends Said {
  versionNumber: number;
  answers: { question: { fr: string; en: string }; yes: boolean }[];
  ruling: string | null;
  ruledBy: string | null;
  ruledAt: Date | null;
  /** the facilitator's written reason, required when ruling against the answers */
  rulingReason: string | null;
  outcome: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  followUpDate: string | null;
  /** the version whose change note names this objection */
  resolvedBy: number | null;
  lifted: { by: string; at: Date } | null;
  tensionAnswered: { by: string; at: Date } | null;
}

export interface RecordVersion {
  number: number;
  text: string;
  changeNote: string | null;
  author: string;
  recordedBy: string | null;
  at: Date;
  diff: DiffPart[] | null;
  motivatedBy: { kind: string; id: string; text: string | null }[];
}

export interface DecisionRecord extends DecisionSummary {
  tension: string;
  criteria: string;
  proposer: string;
  facilitator: string | null;
  meeting: { id: string; title: string; at: Date } | null;
  finalText: string;
  versions: RecordVersion[];
  objections: RecordObjection[];
  questions: (Said & { answer: (Said & { declined: boolean }) | null })[];
  reactions: Said[];
  concerns: RecordConcern[];
  present: string[];
  onBehalf: { person: string; recordedBy: string; count: number }[];
  stages: { stage: string; minutes: number }[];
  chain: { count: number; lastHash: string };
  publication: { by: string; at: Date } | null;
  /** The formal act in force (the last recorded), and every recording of it, oldest first. */
  formalAct: RecordFormalAct | null;
  formalActs: RecordFormalAct[];
}

export interface RecordFormalAct {
  kind: 'deliberation' | 'arrete';
  number: string;
  date: string;
  reference: string;
  /** the reference when it is a web address, to link to */
  url: string | null;
  recordedBy: string;
  recordedAt: Date;
}

const STAGE_OF_EVENT: Record<string, string> = {
  ProposalPresented: 'presentation',
  ClarificationRoundStarted: 'clarification',
  ReactionRoundStarted: 'reactions',
  AmendmentStarted: 'amendment',
  ObjectionRoundStarted: 'objections',
  ObjectionTestingStarted: 'testing',
  ObjectionIntegrationStarted: 'integration',
};
const ENDS = new Set(['ProposalAdopted', 'ProposalWithdrawn', 'ProposalPostponed']);

/** Whether the decision exists where the actor reads it (authorised first). */
export async function decisionExists(db: Kysely<DB>, actor: Actor, id: string, scope: Scope = {}): Promise<boolean> {
  authorizeScope(actor, scope);
  return (await findDecision(db, id, scope)) !== null;
}

/** The record of a decided proposal; null when there is none (unknown, or not decided yet). */
export async function decisionRecord(db: Kysely<DB>, actor: Actor, id: string, now = new Date(), scope: Scope = {}): Promise<DecisionRecord | null> {
  authorizeScope(actor, scope);
  return buildDecisionRecord(db, id, now, scope);
}

/**
 * The record itself, for a caller that has authorised the reader already (the relevé de séance,
 * which every member of the séance may read, guests included).
 */
export async function buildDecisionRecord(db: Kysely<DB>, id: string, now = new Date(), scope: Scope = {}): Promise<DecisionRecord | null> {
  const row = await findDecision(db, id, scope);
  if (!row) return null;
  const [versions, objections, contributions, events] = await Promise.all([
    decisionVersions(db, id),
    decisionObjections(db, id),
    decisionContributions(db, id),
    decisionEvents(db, id),
  ]);
  const adopted = events.find((e) => e.type === 'ProposalAdopted');
  const created = events.find((e) => e.type === 'ProposalCreated');
  const presentIds = adopted ? ((adopted.data.presentIds as string[] | undefined) ?? []) : [];
  const facilitatorId = (created?.data.facilitatorId as string | undefined) ?? null;
  const ids = [
    row.proposer_id,
    ...(facilitatorId ? [facilitatorId] : []),
    ...presentIds,
    ...versions.flatMap((v) => [v.author_id, v.recorded_by ?? '']),
    ...objections.flatMap((o) => [o.objector_id, o.recorded_by ?? '', o.ruled_by ?? '', o.decided_by ?? '']),
    ...contributions.flatMap((c) => [c.person_id, c.recorded_by ?? '']),
    ...events.map((e) => e.actor_id ?? ''),
  ].filter(Boolean);
  const names = await personNames(db, ids);
  const name = (personId: string | null): string | null => (personId ? (names.get(personId) ?? '—') : null);

  const said = (c: (typeof contributions)[number]): Said => ({
    id: c.ref_id,
    by: name(c.person_id)!,
    recordedBy: c.kind === 'skipped' ? null : name(c.recorded_by),
    text: c.body ?? '',
    at: new Date(c.created_at),
  });
  const of = (kind: string) => contributions.filter((c) => c.kind === kind);
  const answers = contributions.filter((c) => c.kind === 'answer' || c.kind === 'declined');
  const questions = of('question').map((q) => {
    const a = answers.find((x) => x.in_reply_to === q.ref_id);
    return { ...said(q), answer: a ? { ...said(a), declined: a.kind === 'declined' } : null };
  });
  const reactions = of('reaction').map(said);

  const textOf = (kind: string, refId: string): string | null => {
    if (kind === 'objection') return objections.find((o) => o.id === refId)?.reasoning ?? null;
    return contributions.find((c) => c.kind === kind && c.ref_id === refId)?.body ?? null;
  };
  const recordVersions: RecordVersion[] = versions.map((v, i) => ({
    number: v.number,
    text: v.text,
    changeNote: v.change_note,
    author: name(v.author_id)!,
    recordedBy: name(v.recorded_by),
    at: new Date(v.created_at),
    diff: i > 0 ? diffWords(versions[i - 1]!.text, v.text) : null,
    motivatedBy: ((v.motivated_by ?? []) as { kind: string; id: string }[]).map((m) => ({ kind: m.kind, id: m.id, text: textOf(m.kind, m.id) })),
  }));

  const questionsOfSet = VALIDITY_SETS[(created?.data.validitySet as keyof typeof VALIDITY_SETS) ?? 'importante_argumentee']?.questions ?? [];
  const confirmation = (type: string, objectionId: string) => {
    const e = events.find((x) => x.type === type && x.data.objectionId === objectionId);
    return e ? { by: name(e.actor_id)!, at: new Date(e.occurred_at) } : null;
  };
  const recordObjections: RecordObjection[] = objections.map((o) => ({
    id: o.id,
    by: name(o.objector_id)!,
    recordedBy: name(o.recorded_by),
    text: o.reasoning,
    at: new Date(o.raised_at),
    versionNumber: o.version_number,
    answers: Object.entries(o.test_answers ?? {}).map(([key, yes]) => {
      const q = questionsOfSet.find((x) => x.id === key);
      return { question: q ? { fr: q.fr, en: q.en } : { fr: key, en: key }, yes };
    }),
    ruling: o.ruling,
    ruledBy: name(o.ruled_by),
    ruledAt: o.ruled_at ? new Date(o.ruled_at) : null,
    rulingReason: o.ruling_reason ?? null,
    outcome: o.outcome,
    decidedBy: name(o.decided_by),
    decidedAt: o.decided_at ? new Date(o.decided_at) : null,
    followUpDate: o.follow_up_date,
    resolvedBy: recordVersions.find((v) => v.motivatedBy.some((m) => m.kind === 'objection' && m.id === o.id))?.number ?? null,
    lifted: confirmation('ObjectionLiftConfirmed', o.id),
    tensionAnswered: confirmation('TensionAnswerConfirmed', o.id),
  }));

  const concerns = keptConcerns(of('concern').map(said), recordObjections);

  // Present: the adoption names them; otherwise, everyone who was in a round order or spoke.
  const present = presentIds.length ? presentIds : [...new Set(contributions.map((c) => c.person_id))];
  const onBehalf = new Map<string, { person: string; recordedBy: string; count: number }>();
  for (const c of contributions) {
    if (!c.recorded_by || c.kind === 'skipped') continue;
    const key = `${c.person_id}/${c.recorded_by}`;
    const entry = onBehalf.get(key) ?? { person: name(c.person_id)!, recordedBy: name(c.recorded_by)!, count: 0 };
    entry.count += 1;
    onBehalf.set(key, entry);
  }

  const stages: { stage: string; minutes: number }[] = [];
  let current: { stage: string; since: number } | null = null;
  for (const e of events) {
    const at = Date.parse(e.occurred_at);
    const next = STAGE_OF_EVENT[e.type];
    if ((next || ENDS.has(e.type)) && current) {
      const known = stages.find((s) => s.stage === current!.stage);
      if (known) known.minutes += (at - current.since) / 60_000;
      else stages.push({ stage: current.stage, minutes: (at - current.since) / 60_000 });
      current = null;
    }
    if (next) current = { stage: next, since: at };
  }

  const published = events.find((e) => e.type === 'DecisionPublished');
  const formalActs: RecordFormalAct[] = events
    .filter((e) => e.type === 'FormalActRecorded')
    .map((e) => {
      const d = e.data as { kind: 'deliberation' | 'arrete'; number: string; date: string; reference: string };
      return {
        kind: d.kind,
        number: d.number,
        date: d.date,
        reference: d.reference,
        url: webAddress(d.reference),
        recordedBy: name(e.actor_id)!,
        recordedAt: new Date(e.occurred_at),
      };
    });

  return {
    ...toSummary(row, parisToday(now)),
    tension: row.tension,
    criteria: row.criteria,
    proposer: name(row.proposer_id)!,
    facilitator: name(facilitatorId),
    meeting: row.meeting_id ? { id: row.meeting_id, title: row.meeting_title ?? '', at: new Date(row.meeting_at!) } : null,
    finalText: versions[versions.length - 1]?.text ?? '',
    versions: recordVersions,
    objections: recordObjections,
    questions,
    reactions,
    concerns,
    // two entries merged into one person (migration 0016) bear one name: said once
    present: [...new Set(present.map((p) => name(p)!))].sort((a, b) => a.localeCompare(b, 'fr')),
    onBehalf: [...onBehalf.values()],
    stages,
    chain: { count: row.last_seq, lastHash: row.last_hash },
    publication: published ? { by: name(published.actor_id)!, at: new Date(published.occurred_at) } : null,
    formalAct: formalActs[formalActs.length - 1] ?? null,
    formalActs,
  };
}

/**
 * The concerns a decision keeps, as the consent core freezes them at adoption: those raised as
 * concerns, then the objections ruled not valid (kept as concerns). The register's record and the
 * relevé de séance both read them from here.
 */
export function keptConcerns(raised: readonly Said[], objections: readonly RecordObjection[]): RecordConcern[] {
  return [
    ...raised.map((c) => ({ ...c, source: 'concern' as const })),
    ...objections
      .filter((o) => o.outcome === 'not_valid')
      .map((o) => ({ id: o.id, by: o.by, recordedBy: o.recordedBy, text: o.text, at: o.at, source: 'objection_not_valid' as const })),
  ];
}

/** An http(s) address typed as the act's reference, safe to put in a link; null for any other text. */
export function webAddress(reference: string): string | null {
  if (!/^https?:\/\//i.test(reference)) return null;
  try {
    const url = new URL(reference);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
