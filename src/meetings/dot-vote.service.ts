/**
 * The dot vote on a séance's agenda (« C’est mon choix », the source's way to choose what to work
 * on first): the facilitator opens it on the items still to be taken up (drafts), each participant
 * places a few dots (2 by default), and closing it stores the order the agenda follows from then
 * on: the items already taken up first, as they were, then the drafts, most dots first. Each
 * command is one transaction (the vote's row locked, so dots are placed one at a time), published
 * after commit; a refusal changes nothing.
 */
import type { Kysely } from 'kysely';
import type { DB, Executor } from '../db/schema.ts';
import { AccessDenied, authorize, type Actor } from '../accounts/policy.ts';
import { HttpError } from '../http/errors.ts';
import { listAgenda } from '../proposals/proposals.repository.ts';
import type { Publisher } from '../realtime/signals.ts';
import * as repo from './dot-vote.repository.ts';
import { rankByDots, totals, type Ranked } from './dots.ts';
import { loadMeetingFacts } from './meeting.facts.ts';
import { SeanceRefused } from './seance.service.ts';

export type DotVoteRefusal = 'already_open' | 'not_open' | 'too_few_items' | 'not_candidate' | 'no_votes_left' | 'no_vote_here';

/** A refused dot-vote command; its text is `live.dots.errors.<code>`. */
export class DotVoteRefused extends HttpError {
  constructor(readonly code: DotVoteRefusal) {
    super(422, 'live.dots.refused_title', `live.dots.errors.${code}`);
    this.name = 'DotVoteRefused';
  }
}

export type DotVoteCommand = { type: 'open' } | { type: 'close' } | { type: 'dot'; proposalId: string; delta: 1 | -1 };

export interface DotVoteView {
  /** Participants may place their dots now. */
  open: boolean;
  /** The agenda follows the order a closed vote stored. */
  ordered: boolean;
  perPerson: number;
  left: number;
  mine: Record<string, number>;
  voters: number;
  /** The drafts, most dots first (the order closing would store). */
  tally: Ranked<{ id: string; title: string }>[];
  /** The facilitator may open a vote now. */
  mayOpen: boolean;
  mayVote: boolean;
}

const DEFAULT_VOTES = 2;

/** The dot vote as everyone sees it: read once per change, whoever is listening. */
export interface DotVoteFacts {
  vote: repo.DotVoteRow | null;
  dots: { personId: string; proposalId: string; dots: number }[];
  ordered: boolean;
}

export async function readDotVoteFacts(db: Executor, meetingId: string): Promise<DotVoteFacts> {
  const [vote, dots, ordered] = await Promise.all([repo.findDotVote(db, meetingId), repo.listDots(db, meetingId), repo.hasAgendaOrder(db, meetingId)]);
  return { vote, dots, ordered };
}

/** What one person sees of the séance's dot vote (pure: from the facts read with the live view). */
export function dotVoteView(
  { vote, dots, ordered }: DotVoteFacts,
  personId: string | null,
  agenda: readonly { id: string; title: string; stage: string }[],
  may: { facilitate: boolean; participate: boolean; closed: boolean },
): DotVoteView {
  const open = !!vote && vote.closedAt === null && !may.closed;
  const drafts = agenda.filter((a) => a.stage === 'draft').map((a) => ({ id: a.id, title: a.title }));
  const sum = totals(dots.map((d) => ({ id: d.proposalId, dots: d.dots })));
  const mine: Record<string, number> = {};
  for (const d of dots) if (d.personId === personId) mine[d.proposalId] = d.dots;
  const perPerson = vote?.votesPerPerson ?? DEFAULT_VOTES;
  return {
    open,
    ordered,
    perPerson,
    left: perPerson - Object.values(mine).reduce((a, b) => a + b, 0),
    mine,
    voters: new Set(dots.map((d) => d.personId)).size,
    tally: rankByDots(drafts, (d) => sum.get(d.id) ?? 0),
    mayOpen: may.facilitate && !open && !may.closed && drafts.length >= 2,
    mayVote: open && may.participate && personId !== null,
  };
}

export class DotVoteService {
  private readonly now: () => Date;
  constructor(private readonly deps: { db: Kysely<DB>; publisher?: Publisher; now?: () => Date }) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Runs one command of the dot vote, in one transaction: load, authorise, decide, write; publish after commit. */
  async handle(actor: Actor, meetingId: string, command: DotVoteCommand): Promise<void> {
    await this.deps.db.transaction().execute(async (tx) => {
      const { meeting, facts } = await loadMeetingFacts(tx, actor, meetingId, { lock: true });
      if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
      authorize(actor, { type: command.type === 'dot' ? 'meeting.participate' : 'meeting.facilitate', meeting: facts });
      if (meeting.status === 'closed') throw new SeanceRefused('seance.errors.closed');
      const vote = await repo.findDotVote(tx, meetingId, { lock: true });
      const open = !!vote && vote.closedAt === null;
      const drafts = (await listAgenda(tx, meetingId)).filter((a) => a.stage === 'draft');
      switch (command.type) {
        case 'open':
          if (open) throw new DotVoteRefused('already_open');
          if (drafts.length < 2) throw new DotVoteRefused('too_few_items');
          await repo.openDotVote(tx, meetingId, actor.personId, this.now());
          return;
        case 'close': {
          if (!open) throw new DotVoteRefused('not_open');
          const agenda = await listAgenda(tx, meetingId);
          const sum = totals((await repo.listDots(tx, meetingId)).map((d) => ({ id: d.proposalId, dots: d.dots })));
          const ranked = rankByDots(drafts, (d) => sum.get(d.id) ?? 0).map((r) => r.item.id);
          // the items already taken up stay where they were; the drafts follow, most dots first
          await repo.saveAgendaOrder(tx, meetingId, [...agenda.filter((a) => a.stage !== 'draft').map((a) => a.id), ...ranked]);
          await repo.closeDotVote(tx, meetingId, this.now());
          return;
        }
        case 'dot': {
          if (!open || !vote) throw new DotVoteRefused('not_open');
          if (!drafts.some((d) => d.id === command.proposalId)) throw new DotVoteRefused('not_candidate');
          if (command.delta === -1) {
            if (!(await repo.removeDot(tx, meetingId, actor.personId, command.proposalId))) throw new DotVoteRefused('no_vote_here');
            return;
          }
          const used = (await repo.listDots(tx, meetingId)).filter((d) => d.personId === actor.personId).reduce((a, d) => a + d.dots, 0);
          if (used >= vote.votesPerPerson) throw new DotVoteRefused('no_votes_left');
          await repo.addDot(tx, meetingId, actor.personId, command.proposalId);
          return;
        }
      }
    });
    try {
      await this.deps.publisher?.publish({ name: 'meeting-changed', meetingId });
    } catch {
      // committed; views catch up on their next refresh
    }
  }
}
