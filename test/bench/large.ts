/**
 * A large register for benchmarks: decisions taken through the consent core (every event
 * decided, hashed and chained as the service does), written with bulk inserts and projected by
 * the same projection as the service, so verify-log accepts the result. Varied French text.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { decide, evolve, isDomainError, type Command, type Event, type State } from '../../src/consent/index.ts';
import type { DB } from '../../src/db/schema.ts';
import { eventHash, GENESIS_HASH } from '../../src/ledger/hash.ts';
import { appendEntries, type NewLogEntry } from '../../src/proposals/events.repository.ts';
import { projectBatch } from '../../src/proposals/proposal.projection.ts';

const WORDS = (
  'eau assainissement collecte déchets tri compost cantine école crèche piscine médiathèque voirie éclairage budget ' +
  'subvention association quartier transport navette vélo stationnement marché forêt rivière climat énergie chauffage ' +
  'isolation bâtiment agents horaires recrutement formation télétravail numérique accueil habitants jeunesse sport ' +
  'culture patrimoine urbanisme logement social solidarité santé prévention sécurité tranquillité festival concertation'
).split(' ');
const VERBS = ['réduire', 'organiser', 'financer', 'ouvrir', 'fermer', 'mutualiser', 'évaluer', 'simplifier', 'étendre', 'expérimenter'];

/** A deterministic pseudo-random generator, so two runs build the same register. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function sentence(r: () => number, words: number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const body = Array.from({ length: words }, () => pick(WORDS)).join(' ');
  return `${pick(VERBS)[0]!.toUpperCase()}${pick(VERBS).slice(1)} ${body}.`;
}

/** The commands of one decision: adopted, with an objection integrated one time in four, withdrawn or postponed now and then. */
function commandsOf(id: string, r: () => number, people: string[], at: () => string): Command[] {
  const [proposer, facilitator, a, b] = people as [string, string, string, string];
  const c = (type: Command['type'], actorId: string, fields: Record<string, unknown> = {}) => ({ type, actorId, at: at(), ...fields }) as unknown as Command;
  const list: Command[] = [
    c('CreateProposal', proposer, {
      proposalId: id,
      proposerId: proposer,
      facilitatorId: facilitator,
      secretaryId: null,
      title: sentence(r, 4),
      tension: sentence(r, 12),
      text: sentence(r, 40),
      criteria: sentence(r, 8),
      reviewDate: r() < 0.5 ? `20${20 + Math.floor(r() * 10)}-0${1 + Math.floor(r() * 9)}-15` : null,
      validitySet: 'importante_argumentee',
    }),
    c('Present', facilitator),
    c('StartClarificationRound', facilitator, { participants: [a, b] }),
    c('AskQuestion', a, { questionId: 'q1', text: sentence(r, 10) }),
    c('AnswerQuestion', proposer, { questionId: 'q1', answer: sentence(r, 15) }),
    c('Pass', b),
  ];
  const end = r();
  if (end < 0.05) return [...list, c('WithdrawProposal', proposer)];
  if (end < 0.1) return [...list, c('PostponeProposal', facilitator)];
  list.push(
    c('StartReactionRound', facilitator, { participants: [a, b] }),
    c('React', a, { reactionId: 'r1', text: sentence(r, 15) }),
    c('React', b, { reactionId: 'r2', text: sentence(r, 15) }),
    c('StartAmendment', facilitator),
    c('KeepProposal', proposer),
    c('StartObjectionRound', facilitator, { participants: [a, b] }),
  );
  if (r() < 0.25) {
    list.push(
      c('RaiseObjection', a, { objectionId: 'o1', reasoning: sentence(r, 20) }),
      c('RecordConcern', b, { concernId: 'c1', text: sentence(r, 12) }),
      c('TestObjection', facilitator, { objectionId: 'o1', answers: { importante: true, argumentee: true }, ruling: 'valid' }),
      c('AmendProposal', proposer, { text: sentence(r, 45), changeNote: sentence(r, 6), motivatedBy: [{ kind: 'objection', id: 'o1' }] }),
      c('ConfirmObjectionLifted', a, { objectionId: 'o1' }),
      c('ConfirmTensionAnswered', proposer, { objectionId: 'o1' }),
      c('StartObjectionRound', facilitator, { participants: [a, b] }),
    );
  }
  list.push(c('DeclareNoObjection', a), c('DeclareNoObjection', b));
  return list;
}

/** Writes `count` decisions in transactions of `chunk`; returns the number of events written. */
export async function seedLarge(
  db: Kysely<DB>,
  count: number,
  options: { chunk?: number; seed?: number; onProgress?: (done: number) => void } = {},
): Promise<number> {
  const r = random(options.seed ?? 42);
  const people = (
    await db
      .insertInto('persons')
      .values(Array.from({ length: 40 }, (_, i) => ({ display_name: `Agent ${i + 1}` })))
      .returning('id')
      .execute()
  ).map((p) => p.id);
  let clock = Date.parse('2024-01-01T08:00:00Z');
  const step = Math.max(60_000, Math.floor((Date.parse('2026-11-01T00:00:00Z') - clock) / (count * 20)));
  const at = () => new Date((clock += step)).toISOString();
  const chunk = options.chunk ?? 500;
  let events = 0;
  for (let done = 0; done < count; done += chunk) {
    await db.transaction().execute(async (trx) => {
      const entries: NewLogEntry[] = [];
      const batches: { id: string; events: { seq: number; event: Event }[]; lastHash: string }[] = [];
      for (let i = done; i < Math.min(count, done + chunk); i++) {
        const id = randomUUID();
        const cast = Array.from({ length: 4 }, () => people[Math.floor(r() * people.length)]!);
        if (new Set(cast).size < 4) cast.splice(0, 4, ...people.slice(i % 36, (i % 36) + 4));
        let state: State = null;
        let previous = GENESIS_HASH;
        const sequenced: { seq: number; event: Event }[] = [];
        for (const command of commandsOf(id, r, cast, at)) {
          const decided = decide(state, command);
          if (isDomainError(decided)) throw new Error(`seed: ${command.type} refused (${decided.code})`);
          for (const event of decided) {
            const seq = sequenced.length + 1;
            const data = event as unknown as Record<string, unknown>;
            const hash = eventHash(previous, { streamId: id, seq, event: data });
            entries.push({ streamId: id, seq, type: event.type, data, actorId: event.actorId, occurredAt: event.at, prevHash: previous, hash });
            sequenced.push({ seq, event });
            previous = hash;
            state = evolve(state, event);
          }
        }
        batches.push({ id, events: sequenced, lastHash: previous });
      }
      for (let i = 0; i < entries.length; i += 2000) await appendEntries(trx, entries.slice(i, i + 2000));
      for (const b of batches) await projectBatch(trx, { before: null, events: b.events, meetingId: null, lastSeq: b.events.length, lastHash: b.lastHash });
      events += entries.length;
    });
    options.onProgress?.(Math.min(count, done + chunk));
  }
  return events;
}
