/**
 * Exports of the register: CSV (UTF-8 with BOM, comma or semicolon), JSON with a published JSON
 * Schema, and a pseudonymised open-data CSV (CRPA L312-1-2). Each export streams: decisions are
 * read a keyset page at a time and written as they come, never all held in memory.
 */
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import { decisionPages, type DecisionRow } from './register.repository.ts';
import { personNames } from '../accounts/accounts.repository.ts';
import { finalTexts, objectionsOf, pseudonymNumbers } from './export.repository.ts';
import type { RegisterFilters } from './search.ts';
import { parisToday } from '../i18n/dates.ts';

const EXPORT_PAGE = 500;

export const decisionExportSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  outcome: z.enum(['adopted', 'withdrawn', 'postponed']),
  decidedAt: z.iso.datetime({ offset: true }),
  circle: z.string().nullable(),
  meeting: z.string().nullable(),
  reviewDate: z.iso.date().nullable(),
  criteria: z.string(),
  finalText: z.string(),
  objectionCount: z.int().min(0),
  events: z.int().min(1).describe('number of events in the proposal’s hash-chained log'),
  lastHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('SHA-256 of the last event of the chain'),
});
export type DecisionExport = z.infer<typeof decisionExportSchema>;

/** The JSON Schema of the JSON export (an array of decisions), generated from the zod schema. */
export const DECISIONS_JSON_SCHEMA = {
  ...z.toJSONSchema(z.array(decisionExportSchema)),
  $id: '/registre/schema/decisions.json',
  title: 'Sans Objection — registre des décisions',
};

export type CsvDialect = 'comma' | 'semicolon';

async function* pages(db: Kysely<DB>, actor: Actor, filters: RegisterFilters): AsyncGenerator<DecisionRow[]> {
  authorize(actor, { type: 'register.read' });
  yield* decisionPages(db, { ...filters, after: null }, { today: parisToday(new Date()), limit: EXPORT_PAGE, ranked: false });
}

function toExport(row: DecisionRow, text: string): DecisionExport {
  return {
    id: row.id,
    title: row.title,
    outcome: row.stage as DecisionExport['outcome'],
    decidedAt: new Date(row.closed_at).toISOString(),
    circle: row.circle_name,
    meeting: row.meeting_title,
    reviewDate: row.review_date,
    criteria: row.criteria,
    finalText: text,
    objectionCount: row.objection_count,
    events: row.last_seq,
    lastHash: row.last_hash,
  };
}

async function* decisions(db: Kysely<DB>, actor: Actor, filters: RegisterFilters): AsyncGenerator<DecisionExport> {
  for await (const page of pages(db, actor, filters)) {
    const texts = await finalTexts(
      db,
      page.map((r) => r.id),
    );
    for (const row of page) yield toExport(row, texts.get(row.id) ?? '');
  }
}

const csv = (dialect: CsvDialect, columns: { key: string; header: string }[]) =>
  stringify({ header: true, bom: true, delimiter: dialect === 'semicolon' ? ';' : ',', columns, record_delimiter: 'windows' });

const DECISION_COLUMNS = [
  { key: 'id', header: 'identifiant' },
  { key: 'title', header: 'titre' },
  { key: 'outcome', header: 'issue' },
  { key: 'decidedAt', header: 'date_decision' },
  { key: 'circle', header: 'cercle' },
  { key: 'meeting', header: 'seance' },
  { key: 'reviewDate', header: 'date_revision' },
  { key: 'criteria', header: 'criteres_evaluation' },
  { key: 'finalText', header: 'texte_final' },
  { key: 'objectionCount', header: 'nombre_objections' },
  { key: 'events', header: 'evenements_journal' },
  { key: 'lastHash', header: 'derniere_empreinte' },
];

/** Authorises first (a refusal throws before anything is written), then streams the CSV. */
export function decisionsCsv(db: Kysely<DB>, actor: Actor, filters: RegisterFilters, dialect: CsvDialect): Readable {
  authorize(actor, { type: 'register.read' });
  return Readable.from(decisions(db, actor, filters)).pipe(csv(dialect, DECISION_COLUMNS));
}

export function decisionsJson(db: Kysely<DB>, actor: Actor, filters: RegisterFilters): Readable {
  authorize(actor, { type: 'register.read' });
  return Readable.from(
    (async function* () {
      let first = true;
      yield '[';
      for await (const d of decisions(db, actor, filters)) {
        yield `${first ? '\n' : ',\n'}${JSON.stringify(d)}`;
        first = false;
      }
      yield '\n]\n';
    })(),
  );
}

const OBJECTION_COLUMNS = [
  'identifiant_decision',
  'titre_decision',
  'objection',
  'objecteur_ou_objectrice',
  'saisie_par',
  'argumentation',
  'soulevee_le',
  'version',
  'reponses_validite',
  'validite',
  'statuee_par',
  'statuee_le',
  'issue',
  'constatee_par',
  'constatee_le',
  'suivi_le',
].map((k) => ({ key: k, header: k }));

export function objectionsCsv(db: Kysely<DB>, actor: Actor, filters: RegisterFilters, dialect: CsvDialect): Readable {
  authorize(actor, { type: 'register.read' });
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : '');
  return Readable.from(
    (async function* () {
      for await (const page of pages(db, actor, filters)) {
        const objections = await objectionsOf(
          db,
          page.map((r) => r.id),
        );
        const names = await personNames(
          db,
          objections.flatMap((o) => [o.objector_id, o.recorded_by, o.ruled_by, o.decided_by].filter((x): x is string => !!x)),
        );
        const name = (id: string | null) => (id ? (names.get(id) ?? '') : '');
        for (const o of objections) {
          yield {
            identifiant_decision: o.proposal_id,
            titre_decision: o.proposal_title,
            objection: o.id,
            objecteur_ou_objectrice: name(o.objector_id),
            saisie_par: name(o.recorded_by),
            argumentation: o.reasoning,
            soulevee_le: iso(o.raised_at),
            version: o.version_number,
            reponses_validite: o.test_answers
              ? Object.entries(o.test_answers)
                  .map(([k, v]) => `${k}=${v ? 'oui' : 'non'}`)
                  .join(' ')
              : '',
            validite: o.ruling ?? '',
            statuee_par: name(o.ruled_by),
            statuee_le: iso(o.ruled_at),
            issue: o.outcome ?? '',
            constatee_par: name(o.decided_by),
            constatee_le: iso(o.decided_at),
            suivi_le: o.follow_up_date ?? '',
          };
        }
      }
    })(),
  ).pipe(csv(dialect, OBJECTION_COLUMNS));
}

/**
 * Open data: people become stable pseudonyms (« Participant·e 7 », numbered in the order the
 * persons were created, so the same person keeps the same pseudonym from one export to the next).
 * Free texts (title, tension, final text, criteria, objections) only when asked: they may name people.
 */
export function openDataCsv(db: Kysely<DB>, actor: Actor, filters: RegisterFilters, options: { texts: boolean; dialect: CsvDialect }): Readable {
  authorize(actor, { type: 'register.read' });
  const columns = [
    'identifiant',
    'issue',
    'date_decision',
    'cercle',
    'date_revision',
    'porteur_ou_porteuse',
    'nombre_objections',
    'objecteurs_ou_objectrices',
    'issues_objections',
    'evenements_journal',
    'derniere_empreinte',
    ...(options.texts ? ['titre', 'tension', 'texte_final', 'criteres_evaluation', 'argumentations_objections'] : []),
  ].map((k) => ({ key: k, header: k }));
  return Readable.from(
    (async function* () {
      const numbers = await pseudonymNumbers(db);
      const pseudonym = (id: string) => `Participant·e ${numbers.get(id) ?? 0}`;
      for await (const page of pages(db, actor, filters)) {
        const ids = page.map((r) => r.id);
        const objections = await objectionsOf(db, ids);
        const texts = options.texts ? await finalTexts(db, ids) : new Map<string, string>();
        for (const row of page) {
          const mine = objections.filter((o) => o.proposal_id === row.id);
          yield {
            identifiant: row.id,
            issue: row.stage,
            date_decision: new Date(row.closed_at).toISOString(),
            cercle: row.circle_name ?? '',
            date_revision: row.review_date ?? '',
            porteur_ou_porteuse: pseudonym(row.proposer_id),
            nombre_objections: mine.length,
            objecteurs_ou_objectrices: mine.map((o) => pseudonym(o.objector_id)).join(' | '),
            issues_objections: mine.map((o) => o.outcome ?? '').join(' | '),
            evenements_journal: row.last_seq,
            derniere_empreinte: row.last_hash,
            ...(options.texts
              ? {
                  titre: row.title,
                  tension: row.tension,
                  texte_final: texts.get(row.id) ?? '',
                  criteres_evaluation: row.criteria,
                  argumentations_objections: mine.map((o) => o.reasoning).join(' | '),
                }
              : {}),
          };
        }
      }
    })(),
  ).pipe(csv(options.dialect, columns));
}
