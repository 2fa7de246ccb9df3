/**
 * The relevé de séance (minutes of a closed séance), which every member of the séance may read and
 * print, and the facilitator's follow-ups. Both are read from what the consent process stored: the
 * decided items reuse the register's decision record, so one place says how an item is told.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import { buildDecisionRecord, type DecisionRecord } from '../register/record.service.ts';
import { personNames } from '../accounts/accounts.repository.ts';
import { chainHead, type ChainHead } from '../ledger/head.ts';
import * as meetings from './meetings.repository.ts';
import { listMerges, type MergeRow } from './merge.repository.ts';
import { concernsToRevisit, deferredObjections, seanceItems, seanceSpeakers, type ConcernRow, type DeferredObjectionRow } from './seance.repository.ts';
import { SeanceRefused, seanceFacts } from './seance.service.ts';

export interface ReleveItem {
  id: string;
  title: string;
  stage: string;
  proposer: string;
  /** the register's record, for an item decided (adopted, withdrawn, postponed) */
  record: DecisionRecord | null;
  head: ChainHead | null;
}

export interface Releve {
  meeting: meetings.MeetingRow;
  secretary: string | null;
  /** who took part (present at closing, or took a turn), by name */
  present: string[];
  /** members who never came */
  absent: string[];
  /** members who followed as observers */
  observers: string[];
  /** people in the room without a device, and turns recorded for someone by someone else */
  withoutDevice: string[];
  onBehalf: { person: string; recordedBy: string; count: number }[];
  /** entries merged into another (one person who had joined twice): who, into whom, by whom, when */
  merges: MergeRow[];
  items: ReleveItem[];
}

const byName = (a: string, b: string) => a.localeCompare(b, 'fr');

/** The relevé of a closed séance; before closing it is refused (there is nothing final to read). */
export async function releve(db: Kysely<DB>, actor: Actor, meetingId: string, now = new Date()): Promise<Releve> {
  const { meeting } = await seanceFacts(db, actor, meetingId);
  if (meeting.status !== 'closed') throw new SeanceRefused('seance.errors.not_closed');
  const [members, rows, speakers, merges] = await Promise.all([
    meetings.listMembers(db, meetingId),
    seanceItems(db, meetingId),
    seanceSpeakers(db, meetingId),
    listMerges(db, meetingId),
  ]);
  const names = await personNames(db, [...rows.map((r) => r.proposerId), ...(meeting.secretaryPersonId ? [meeting.secretaryPersonId] : [])]);
  const items: ReleveItem[] = [];
  for (const row of rows) {
    const [record, head] = await Promise.all([row.stage === 'draft' ? null : buildDecisionRecord(db, row.id, now), chainHead(db, row.id)]);
    items.push({ id: row.id, title: row.title, stage: row.stage, proposer: names.get(row.proposerId) ?? '—', record, head });
  }
  const spoke = new Set(speakers);
  const takesPart = members.filter((m) => m.role !== 'observer');
  const wasThere = (m: meetings.MemberRow) => m.present || spoke.has(m.personId) || m.personId === meeting.facilitatorPersonId;
  const onBehalf = new Map<string, { person: string; recordedBy: string; count: number }>();
  for (const entry of items.flatMap((i) => i.record?.onBehalf ?? [])) {
    const key = `${entry.person}/${entry.recordedBy}`;
    const known = onBehalf.get(key);
    if (known) known.count += entry.count;
    else onBehalf.set(key, { ...entry });
  }
  return {
    meeting,
    secretary: meeting.secretaryPersonId ? (names.get(meeting.secretaryPersonId) ?? null) : null,
    present: takesPart
      .filter(wasThere)
      .map((m) => m.displayName)
      .sort(byName),
    absent: takesPart
      .filter((m) => !wasThere(m))
      .map((m) => m.displayName)
      .sort(byName),
    observers: members
      .filter((m) => m.role === 'observer')
      .map((m) => m.displayName)
      .sort(byName),
    withoutDevice: members
      .filter((m) => !m.hasDevice)
      .map((m) => m.displayName)
      .sort(byName),
    onBehalf: [...onBehalf.values()],
    merges,
    items,
  };
}

export interface FollowUps {
  meeting: meetings.MeetingRow;
  deferred: (DeferredObjectionRow & { objector: string })[];
  concerns: (ConcernRow & { person: string })[];
  reviews: { id: string; title: string; reviewDate: string }[];
}

/** What the facilitator has to pick up after the séance: deferred objections, concerns, review dates. */
export async function followUps(db: Kysely<DB>, actor: Actor, meetingId: string): Promise<FollowUps> {
  const { meeting, facts } = await seanceFacts(db, actor, meetingId);
  authorize(actor, { type: 'meeting.facilitate', meeting: facts });
  const [deferred, concerns, items] = await Promise.all([deferredObjections(db, meetingId), concernsToRevisit(db, meetingId), seanceItems(db, meetingId)]);
  const names = await personNames(db, [...deferred.map((d) => d.objectorId), ...concerns.map((c) => c.personId)]);
  const reviews = items
    .filter((i): i is typeof i & { reviewDate: string } => i.stage === 'adopted' && i.reviewDate !== null)
    .map((i) => ({ id: i.id, title: i.title, reviewDate: i.reviewDate }))
    .sort((a, b) => a.reviewDate.localeCompare(b.reviewDate));
  return {
    meeting,
    deferred: deferred.map((d) => ({ ...d, objector: names.get(d.objectorId) ?? '—' })),
    concerns: concerns.map((c) => ({ ...c, person: names.get(c.personId) ?? '—' })),
    reviews,
  };
}
