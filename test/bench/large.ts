/**
 * A large register for benchmarks: decisions taken through the consent core (every event
 * decided, hashed and chained as the service does), written with bulk inserts and projected by
 * the same projection as the service, so verify-log accepts the result. Varied French text.
 */
import { randomUUID } from 'node:crypto';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { decide, evolve, isDomainError, type Command, type Event, type State } from '../../src/consent/index.ts';
import type { DB } from '../../src/db/schema.ts';
import { eventHash, GENESIS_HASH } from '../../src/ledger/hash.ts';
import { appendEntries, type NewLogEntry } from '../../src/proposals/events.repository.ts';
import { projectBatch } from '../../src/proposals/proposal.projection.ts';
import { flush, recordingDb } from './bulk.ts';

/**
 * A realistic vocabulary: each decision is about one theme of a town's life and draws most of its
 * nouns from it, the rest from the administration's common words, the most common ones more often
 * (Zipf), so a search word matches a few percent of the register, not all of it, and the measured
 * query does what it does on a real register.
 */
const THEMES: readonly string[][] = [
  'eau potable réseau captage assainissement station épuration fuite compteur nappe sécheresse arrosage forage canalisation redevance rivière',
  'déchets collecte tri compost biodéchets déchetterie encombrants conteneurs recyclage benne tournée ordures emballages verre redevance',
  'cantine restauration repas menus végétarien cuisine centrale produits locaux gaspillage allergies self bio fournisseurs diététicienne',
  'école crèche périscolaire accueil enfants parents enseignants garderie classe rentrée mercredi animateurs goûter cour',
  'piscine gymnase stade équipements sportifs clubs créneaux vestiaires bassin maîtres-nageurs tribune terrain licence',
  'médiathèque bibliothèque lecture prêt horaires dimanche animations conte numérique fonds ouvrages ludothèque exposition',
  'voirie chaussée trottoirs nids-de-poule signalisation carrefour ralentisseur marquage chantier déneigement enrobé bordures',
  'éclairage public lampadaires extinction nuit led consommation luminaires candélabres horloges pollution lumineuse',
  'climat énergie chauffage isolation rénovation chaudière photovoltaïque panneaux sobriété thermique bâtiments consommation bilan carbone',
  'mobilité transport navette bus vélo piste cyclable stationnement covoiturage parking abonnement arrêt ligne gare',
  'forêt arbres plantation espaces verts parc jardin partagé biodiversité haies fauchage pesticides abeilles friche verger',
  'agents horaires recrutement formation télétravail astreintes congés entretien professionnel postes mutualisation temps partiel encadrement',
  'budget subvention dépenses recettes investissement emprunt fiscalité tarifs économies marchés publics prévisionnel dotation',
  'logement social habitat bailleurs loyers insalubrité réhabilitation lotissement permis urbanisme zonage densification foncier',
  'santé prévention maison médicale médecins pharmacie vaccination dépistage seniors aidants solidarité portage repas isolement',
  'sécurité tranquillité police municipale vidéoprotection incivilités médiation nuisances bruit patrouille prévention délinquance',
  'culture patrimoine festival concert théâtre musée église restauration fresque archives spectacle résidence artistes',
  'numérique site internet démarches en ligne accueil téléphonique guichet dématérialisation données fibre inclusion ordinateurs formulaires',
  'jeunesse conseil municipal des jeunes local ados chantiers loisirs séjours colonie bourse permis citoyen engagement',
  'marché commerces centre-bourg halle producteurs terrasse foire artisans vitrines boutique enseigne',
].map((line) => line.split(' '));
const COMMON = (
  'service commune habitants usagers élus conseil projet dispositif calendrier délai coût mise en œuvre suivi évaluation ' +
  'partenaires association quartier territoire intercommunalité agglomération département région État règlement convention ' +
  'expérimentation bilan semaine mois année samedi matin soir public information concertation réunion comité groupe ' +
  'charge équipe responsable priorité besoin demande offre qualité accès sécurité entretien travaux achat contrat prestataire ' +
  'rapport note avis décision vote délibération procédure étape phase option scénario alternative impact risque ' +
  'objectif indicateur critère résultat enquête questionnaire retour expérience difficulté solution proposition principe'
).split(' ');
const VERBS =
  'réduire organiser financer ouvrir fermer mutualiser évaluer simplifier étendre expérimenter adapter reporter confier renforcer limiter regrouper prolonger supprimer créer harmoniser'.split(
    ' ',
  );
const LINKS = ['pour', 'avec', 'dans', 'sur', 'pendant', 'avant', 'après', 'par', 'sans', 'entre', 'selon', 'auprès de'];
const DETS = ['le', 'la', 'les', 'un', 'une', 'des', 'ce', 'notre', 'chaque'];
const OPENINGS = {
  question: ['Qui prend en charge', 'Combien coûte', 'Quand commence', 'Comment se passe', 'Qui décide de', 'Pourquoi choisir'],
  answer: ['Le service prévoit', 'Il est prévu de', 'Nous avons choisi de', 'La direction propose de'],
  reaction: ['Je trouve utile de', 'Je suis rassurée de', 'Je crains de', 'Il me semble important de'],
  objection: ['Cette proposition empêche de', 'Mon objection\u00a0: adopter ce texte nous oblige à', 'Ce texte met en danger la capacité à'],
  concern: ['Ma préoccupation porte sur', 'Je reste préoccupé par', 'Une inquiétude demeure sur'],
} as const;

/** A deterministic pseudo-random generator, so two runs build the same register. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Index 0 is the most frequent: a Zipf-like draw over a list. */
const zipf = <T>(r: () => number, list: readonly T[]): T => list[Math.min(list.length - 1, Math.floor(list.length * r() ** 2.5))]!;

function sentence(r: () => number, words: number, theme: readonly string[], opening?: readonly string[]): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const noun = () => (r() < 0.6 ? pick(theme) : zipf(r, COMMON));
  const parts: string[] = [opening ? pick(opening) : pick(VERBS)];
  while (parts.join(' ').split(' ').length < words) parts.push(pick(DETS), noun(), r() < 0.5 ? pick(LINKS) : noun());
  if (LINKS.includes(parts[parts.length - 1]!)) parts.push(pick(DETS), noun());
  const text = parts.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}
function paragraph(r: () => number, words: number, theme: readonly string[]): string {
  const out: string[] = [];
  for (let n = 0; n < words; n += 14) out.push(sentence(r, 14, theme));
  return out.join(' ');
}

/** The commands of one decision: adopted, with an objection integrated one time in four, withdrawn or postponed now and then. */
function commandsOf(id: string, r: () => number, people: string[], at: () => string): Command[] {
  const theme = THEMES[Math.floor(r() * THEMES.length)]!;
  const say = (words: number, opening?: keyof typeof OPENINGS) => sentence(r, words, theme, opening ? OPENINGS[opening] : undefined);
  const [proposer, facilitator, a, b] = people as [string, string, string, string];
  const c = (type: Command['type'], actorId: string, fields: Record<string, unknown> = {}) => ({ type, actorId, at: at(), ...fields }) as unknown as Command;
  const list: Command[] = [
    c('CreateProposal', proposer, {
      proposalId: id,
      proposerId: proposer,
      facilitatorId: facilitator,
      secretaryId: null,
      title: say(5),
      tension: say(12),
      text: paragraph(r, 40, theme),
      criteria: say(8),
      reviewDate: r() < 0.5 ? `20${20 + Math.floor(r() * 10)}-0${1 + Math.floor(r() * 9)}-15` : null,
      validitySet: 'importante_argumentee',
    }),
    c('Present', facilitator),
    c('StartClarificationRound', facilitator, { participants: [a, b] }),
    c('AskQuestion', a, { questionId: 'q1', text: say(10, 'question') }),
    c('AnswerQuestion', proposer, { questionId: 'q1', answer: say(15, 'answer') }),
    c('Pass', b),
  ];
  const end = r();
  if (end < 0.05) return [...list, c('WithdrawProposal', proposer)];
  if (end < 0.1) return [...list, c('PostponeProposal', facilitator)];
  list.push(
    c('StartReactionRound', facilitator, { participants: [a, b] }),
    c('React', a, { reactionId: 'r1', text: say(15, 'reaction') }),
    c('React', b, { reactionId: 'r2', text: say(15, 'reaction') }),
    c('StartAmendment', facilitator),
    c('KeepProposal', proposer),
    c('StartObjectionRound', facilitator, { participants: [a, b] }),
  );
  if (r() < 0.25) {
    list.push(
      c('RaiseObjection', a, { objectionId: 'o1', reasoning: say(20, 'objection') }),
      c('RecordConcern', b, { concernId: 'c1', text: say(12, 'concern') }),
      c('TestObjection', facilitator, { objectionId: 'o1', answers: { importante: true, argumentee: true }, ruling: 'valid' }),
      c('AmendProposal', proposer, { text: paragraph(r, 45, theme), changeNote: say(6), motivatedBy: [{ kind: 'objection', id: 'o1' }] }),
      c('ConfirmObjectionLifted', a, { objectionId: 'o1' }),
      c('ConfirmTensionAnswered', proposer, { objectionId: 'o1' }),
      c('StartObjectionRound', facilitator, { participants: [a, b] }),
    );
  }
  list.push(c('DeclareNoObjection', a), c('DeclareNoObjection', b));
  return list;
}

/**
 * Writes `count` decisions in transactions of `chunk`; returns the number of events written.
 * The read models of a chunk are projected by the service's projection into a recording Kysely,
 * then sent as multi-row inserts (bulk.ts); `parallel` chunks are written at once (on a server, the
 * next chunk is generated while the database writes the previous one).
 *
 * The register's documents are written by the app's own function (register_refresh_document, which
 * the deferred trigger calls at each decision), once per chunk for all its decisions instead of
 * once per decision at commit: the chunk's transaction turns triggers off for itself only
 * (session_replication_role, a superuser setting: a benchmark database), then calls the function.
 * Meanwhile the search index takes new entries in its pending list (fastupdate) and merges them in
 * bulk; the index gets its setting back at the end. This is what took most of the 50 minutes of a
 * 100 000-decision seed: one document at a time into a GIN index that accepts no pending list.
 */
export async function seedLarge(
  db: Kysely<DB>,
  count: number,
  options: { chunk?: number; seed?: number; parallel?: number; onProgress?: (done: number) => void } = {},
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
  const recorder = recordingDb();
  let events = 0;
  let written = 0;

  /** One chunk, generated and projected in memory: its events and the read-model writes. */
  async function generate(from: number, to: number): Promise<{ ids: string[]; entries: NewLogEntry[]; writes: CompiledQuery[] }> {
    const entries: NewLogEntry[] = [];
    const ids: string[] = [];
    for (let i = from; i < to; i++) {
      const id = randomUUID();
      ids.push(id);
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
      await projectBatch(recorder.db, { before: null, events: sequenced, meetingId: null, lastSeq: sequenced.length, lastHash: previous });
    }
    return { ids, entries, writes: recorder.take() };
  }

  const fastupdate = await searchIndexFastupdate(db);
  await sql`alter index register_documents_search_idx set (fastupdate = on)`.execute(db);
  try {
    await writeChunks();
    await sql`select gin_clean_pending_list('register_documents_search_idx'::regclass)`.execute(db);
  } finally {
    await sql`alter index register_documents_search_idx ${sql.raw(fastupdate === null ? 'reset (fastupdate)' : `set (fastupdate = ${fastupdate})`)}`.execute(
      db,
    );
  }
  return events;

  async function writeChunks(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (let done = 0; done < count; done += chunk) {
      const to = Math.min(count, done + chunk);
      const { ids, entries, writes } = await generate(done, to);
      const write = db
        .transaction()
        .execute(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx);
          for (let i = 0; i < entries.length; i += 2000) await appendEntries(trx, entries.slice(i, i + 2000));
          await flush(trx, writes);
          await sql`select register_refresh_document(id) from unnest(${ids}::uuid[]) as id`.execute(trx);
        })
        .then(() => {
          events += entries.length;
          written += to - done;
          options.onProgress?.(written);
        });
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write)).catch(() => {});
      if (inFlight.size >= (options.parallel ?? 1)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
}

/** The search index's fastupdate setting: 'off' since migration 0012, null when left to the default. */
async function searchIndexFastupdate(db: Kysely<DB>): Promise<string | null> {
  const { rows } = await sql<{ options: string[] | null }>`select reloptions as options from pg_class where relname = 'register_documents_search_idx'`.execute(
    db,
  );
  const option = rows[0]?.options?.find((o) => o.startsWith('fastupdate='));
  return option ? option.slice('fastupdate='.length) : null;
}
