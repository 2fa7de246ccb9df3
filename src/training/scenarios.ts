/**
 * Training scenarios are data: one JSON file each in `src/training/scenarios/`, checked by the
 * zod schema below when the app starts and in a test. Adding a scenario is adding a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const SCENARIOS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'un identifiant en minuscules et tirets');
const prose = (max: number) => z.string().trim().min(3).max(max);

const objectionSchema = z.strictObject({
  /** What the persona says would be harmed, and why. */
  text: prose(1000),
  /** Answers to the « importante et argumentée » test (src/consent/validity.ts). */
  validity: z.strictObject({ importante: prose(500), argumentee: prose(500) }),
  /** The change to the proposal that integrates the objection. */
  amendment: prose(1000),
});

const personaSchema = z
  .strictObject({
    id: slug,
    name: prose(80),
    /** What the persona does: élue, DGS, agente de terrain, habitant… */
    role: prose(120),
    /** Scripted step on the five-step gradient (docs/method.md). */
    position: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
    reason: prose(600),
    question: prose(400),
    /** What the proposer answers to that question when the app plays the clarification round. */
    answer: prose(600).optional(),
    reaction: prose(600),
    objection: objectionSchema.optional(),
  })
  .refine((p) => (p.position === 5) === (p.objection !== undefined), {
    message: 'une objection (position 5) a son texte, son test et son amendement, et seulement elle',
    path: ['objection'],
  });

export const scenarioSchema = z
  .strictObject({
    id: slug,
    /** The Atelier 3 question itself, or one of the « C’est mon choix » projects. */
    kind: z.enum(['atelier', 'projet']),
    title: prose(160),
    /** The question as the source asked it. */
    question: prose(300),
    /** Where it comes from, for the trainer. */
    source: prose(300),
    context: prose(1500),
    proposal: z.strictObject({
      title: prose(160),
      text: prose(2000),
      /** The sentence the proposer adds after the reactions (else the text is kept), and whose reaction motivated it. */
      amendment: z.strictObject({ text: prose(1000), note: prose(300), after: slug }).optional(),
    }),
    personas: z.array(personaSchema).min(6).max(10),
  })
  .refine((s) => new Set(s.personas.map((p) => p.id)).size === s.personas.length, {
    message: 'chaque persona a un identifiant unique',
    path: ['personas'],
  })
  .refine((s) => !s.proposal.amendment || s.personas.some((p) => p.id === s.proposal.amendment?.after), {
    message: 'l’amendement suit la réaction d’un persona du scénario',
    path: ['proposal', 'amendment', 'after'],
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type Persona = Scenario['personas'][number];

/** Reads and checks one scenario file; the file name (without .json) must be its id. */
export function parseScenarioFile(file: string): Scenario {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ');
    throw new Error(`Scénario invalide ${path.basename(file)} : ${where}`);
  }
  if (parsed.data.id !== path.basename(file, '.json')) throw new Error(`Scénario invalide ${path.basename(file)} : l’identifiant doit être le nom du fichier`);
  return parsed.data;
}

/** Every scenario of a folder, the Atelier 3 question first, then by title. */
export function loadScenarios(dir = SCENARIOS_DIR): Scenario[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files
    .map((f) => parseScenarioFile(path.join(dir, f)))
    .sort((a, b) => (a.kind === b.kind ? a.title.localeCompare(b.title, 'fr') : a.kind === 'atelier' ? -1 : 1));
}

let cached: ReadonlyMap<string, Scenario> | null = null;

/** The shipped scenarios, read once (a broken file stops the app at start with its name and the problem). */
export function scenarios(): ReadonlyMap<string, Scenario> {
  cached ??= new Map(loadScenarios().map((s) => [s.id, s]));
  return cached;
}

export function findScenario(id: string): Scenario | undefined {
  return scenarios().get(id);
}

/** The personas as a new session plays them: each at its scripted step. */
export const scripted = (s: Scenario): { id: string; name: string; position: number }[] =>
  s.personas.map((p) => ({ id: p.id, name: p.name, position: p.position }));
/** The candidate projects of the dot vote: the scenarios’ « C’est mon choix » projects. */
export const projects = (): Scenario[] => [...scenarios().values()].filter((s) => s.kind === 'projet');
