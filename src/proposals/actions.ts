/**
 * The actions a person can take on a proposal, as named in the interface (French slugs): one entry
 * per action with the form it reads (the field names are the public interface of the no-JavaScript
 * forms), who may use it, whether it starts a round, its text limits, and the core command it
 * becomes. Form names are mapped here once; everything after speaks the core's names.
 */
import { z } from 'zod';
import type { CommandContext, Permission, ProposalCommand } from './proposal.command.ts';
import type { Command, CommandOf, CommandType, Motivation } from '../consent/index.ts';
import { LIMITS } from '../http/limits.ts';

export const ACTIONS = [
  'presenter',
  'ouvrir-clarification',
  'question',
  'repondre',
  'decliner',
  'passer',
  'absent',
  'ouvrir-reactions',
  'reaction',
  'ouvrir-bonification',
  'amender',
  'maintenir',
  'ouvrir-objections',
  'pas-objection',
  'objection',
  'preoccupation',
  'tester',
  'levee',
  'tension-resolue',
  'retirer-objection',
  'reporter-objection',
  'retirer',
  'reporter',
  'passer-la-main',
] as const;

export type ActionName = (typeof ACTIONS)[number];

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Run the meeting; speak in it; speak as the proposal's proposer (the core checks that they are). */
export type Who = 'facilitate' | 'participate' | 'propose';

/** The fields people type, shown again when the form comes back. */
export const TYPED_FIELDS = ['texte', 'note', 'raison', 'date'] as const;
type TypedField = 'texte' | 'note' | 'raison';

/** A typed text: line endings normalised and trimmed, then held to its limit. */
const typed = (max: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s ?? '').replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(max));
const id = z.string().min(1).max(100);
/** « Saisi pour … »: the person the facilitator or the secretary records the turn for. */
const pour = z.uuid().optional().or(z.literal(''));
const motive = z.union([z.string().max(200), z.array(z.string().max(200)).max(200)]).optional();

type Limits = Partial<Record<TypedField, number>>;
type TypedShape<L extends Limits> = { [K in keyof L]: ReturnType<typeof typed> };
/** What toCommand reads: the parsed form, and the objection test's `reponses[question]` answers. */
type Fields<S extends z.ZodObject> = z.output<S> & { reponses: Record<string, boolean> };

/** What an entry's toCommand receives once its own schema has parsed the form. */
export type ActionFields = Record<string, unknown> & { reponses: Record<string, boolean> };

export interface ActionEntry {
  who: Who;
  startsRound: boolean;
  /** Longest text each typed field accepts (from LIMITS); the schema holds them to it. */
  limits: Limits;
  /** The action says something: an empty `texte` is refused next to the field. */
  needsText: boolean;
  /** By it a person settles their own objection: never typed for them while they are connected. */
  ownObjection: boolean;
  /** The action's form fields, by their form names. */
  schema: z.ZodObject;
  /** The core command: each entry is typed to return its exact variant. */
  toCommand(fields: ActionFields, context: CommandContext): Command;
}

interface Spec<L extends Limits, F extends z.ZodRawShape, T extends CommandType> {
  who: Who;
  startsRound?: boolean;
  limits?: L;
  needsText?: boolean;
  ownObjection?: boolean;
  fields?: F;
  toCommand(fields: Fields<z.ZodObject<F & TypedShape<L>>>, context: CommandContext): CommandOf<T>;
}

/** Builds an entry: the typed fields come from its limits, so the two cannot drift apart. */
function entry<T extends CommandType, L extends Limits = Record<never, never>, F extends z.ZodRawShape = Record<never, never>>(
  spec: Spec<L, F, T>,
): ActionEntry {
  const limits = (spec.limits ?? {}) as L;
  const texts = Object.fromEntries(Object.entries(limits).map(([field, max]) => [field, typed(max as number)])) as TypedShape<L>;
  const schema = z.object({ ...(spec.fields ?? ({} as F)), ...texts }) as z.ZodObject<F & TypedShape<L>>;
  return {
    who: spec.who,
    startsRound: spec.startsRound ?? false,
    limits,
    needsText: spec.needsText ?? false,
    ownObjection: spec.ownObjection ?? false,
    schema,
    // the fields were parsed by this very schema (or built by the probe of allowed.ts to match it)
    toCommand: (fields, context) => spec.toCommand(fields as Fields<typeof schema>, context),
  };
}

const by = (c: CommandContext) => ({ actorId: c.actorId, at: c.at });
const forWhom = (f: { pour?: string }, c: CommandContext) => (f.pour && f.pour !== c.actorId ? { onBehalfOf: f.pour } : {});
const reason = (f: { raison: string }) => (f.raison ? { reason: f.raison } : {});

/** `motive=question:<id>` checkboxes of the amendment form. */
function motivations(raw: string | string[] | undefined): Motivation[] {
  const out: Motivation[] = [];
  for (const v of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
    const [kind, ...rest] = v.split(':');
    const ref = rest.join(':');
    if ((kind === 'question' || kind === 'reaction' || kind === 'objection') && ref) out.push({ kind, id: ref });
  }
  return out;
}

/** `reponses[question_id]=oui|non` fields of the objection test form. */
export function testAnswers(body: unknown): Record<string, boolean> {
  const answers: Record<string, boolean> = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    const match = /^reponses\[([a-z_]{1,60})\]$/.exec(key);
    if (match && (value === 'oui' || value === 'non')) answers[match[1]!] = value === 'oui';
  }
  return answers;
}

export const ACTION_TABLE: Readonly<Record<ActionName, ActionEntry>> = {
  presenter: entry({ who: 'facilitate', toCommand: (_f, c) => ({ type: 'Present', ...by(c) }) }),
  'ouvrir-clarification': entry({
    who: 'facilitate',
    startsRound: true,
    toCommand: (_f, c) => ({ type: 'StartClarificationRound', ...by(c), participants: c.participants }),
  }),
  question: entry({
    who: 'participate',
    limits: { texte: LIMITS.question },
    needsText: true,
    fields: { pour },
    toCommand: (f, c) => ({ type: 'AskQuestion', ...by(c), ...forWhom(f, c), questionId: c.newId, text: f.texte }),
  }),
  repondre: entry({
    who: 'propose',
    limits: { texte: LIMITS.answer },
    needsText: true,
    fields: { question: id, pour },
    toCommand: (f, c) => ({ type: 'AnswerQuestion', ...by(c), ...forWhom(f, c), questionId: f.question, answer: f.texte }),
  }),
  decliner: entry({
    who: 'propose',
    limits: { raison: LIMITS.concern },
    fields: { question: id, pour },
    toCommand: (f, c) => ({ type: 'DeclineQuestion', ...by(c), ...forWhom(f, c), questionId: f.question, ...reason(f) }),
  }),
  passer: entry({ who: 'participate', fields: { pour }, toCommand: (f, c) => ({ type: 'Pass', ...by(c), ...forWhom(f, c) }) }),
  absent: entry({
    who: 'facilitate',
    fields: { personne: z.uuid() },
    toCommand: (f, c) => ({ type: 'SkipParticipant', ...by(c), personId: f.personne, reason: 'absent' }),
  }),
  'ouvrir-reactions': entry({
    who: 'facilitate',
    startsRound: true,
    toCommand: (_f, c) => ({ type: 'StartReactionRound', ...by(c), participants: c.participants }),
  }),
  reaction: entry({
    who: 'participate',
    limits: { texte: LIMITS.reaction },
    needsText: true,
    fields: { pour },
    toCommand: (f, c) => ({ type: 'React', ...by(c), ...forWhom(f, c), reactionId: c.newId, text: f.texte }),
  }),
  'ouvrir-bonification': entry({ who: 'facilitate', toCommand: (_f, c) => ({ type: 'StartAmendment', ...by(c) }) }),
  amender: entry({
    who: 'propose',
    limits: { texte: LIMITS.proposalText, note: LIMITS.changeNote },
    needsText: true,
    fields: { motive, pour },
    toCommand: (f, c) => ({ type: 'AmendProposal', ...by(c), ...forWhom(f, c), text: f.texte, changeNote: f.note, motivatedBy: motivations(f.motive) }),
  }),
  maintenir: entry({ who: 'propose', fields: { pour }, toCommand: (f, c) => ({ type: 'KeepProposal', ...by(c), ...forWhom(f, c) }) }),
  'ouvrir-objections': entry({
    who: 'facilitate',
    startsRound: true,
    toCommand: (_f, c) => ({ type: 'StartObjectionRound', ...by(c), participants: c.participants }),
  }),
  'pas-objection': entry({ who: 'participate', fields: { pour }, toCommand: (f, c) => ({ type: 'DeclareNoObjection', ...by(c), ...forWhom(f, c) }) }),
  objection: entry({
    who: 'participate',
    limits: { texte: LIMITS.objection },
    needsText: true,
    fields: { pour },
    toCommand: (f, c) => ({ type: 'RaiseObjection', ...by(c), ...forWhom(f, c), objectionId: c.newId, reasoning: f.texte }),
  }),
  preoccupation: entry({
    who: 'participate',
    limits: { texte: LIMITS.concern },
    needsText: true,
    fields: { pour },
    toCommand: (f, c) => ({ type: 'RecordConcern', ...by(c), ...forWhom(f, c), concernId: c.newId, text: f.texte }),
  }),
  tester: entry({
    who: 'facilitate',
    // no ruling chosen: the one the answers lead to; against them, the core requires a written reason
    limits: { raison: LIMITS.concern },
    fields: { objection: id, decision: z.enum(['valid', 'not_valid']).optional().or(z.literal('')) },
    toCommand: (f, c) => ({
      type: 'TestObjection',
      ...by(c),
      objectionId: f.objection,
      answers: f.reponses,
      ...(f.decision ? { ruling: f.decision } : {}),
      ...(f.raison ? { rulingReason: f.raison } : {}),
    }),
  }),
  levee: entry({
    who: 'participate',
    ownObjection: true,
    fields: { objection: id, pour },
    toCommand: (f, c) => ({ type: 'ConfirmObjectionLifted', ...by(c), ...forWhom(f, c), objectionId: f.objection }),
  }),
  'tension-resolue': entry({
    who: 'propose',
    fields: { objection: id, pour },
    toCommand: (f, c) => ({ type: 'ConfirmTensionAnswered', ...by(c), ...forWhom(f, c), objectionId: f.objection }),
  }),
  'retirer-objection': entry({
    who: 'participate',
    ownObjection: true,
    fields: { objection: id, pour },
    toCommand: (f, c) => ({ type: 'WithdrawObjection', ...by(c), ...forWhom(f, c), objectionId: f.objection }),
  }),
  'reporter-objection': entry({
    who: 'facilitate',
    fields: { objection: id, date: z.string().min(1).max(10) },
    toCommand: (f, c) => ({ type: 'DeferObjection', ...by(c), objectionId: f.objection, followUpDate: f.date }),
  }),
  retirer: entry({
    who: 'propose',
    limits: { raison: LIMITS.concern },
    fields: { pour },
    toCommand: (f, c) => ({ type: 'WithdrawProposal', ...by(c), ...forWhom(f, c), ...reason(f) }),
  }),
  reporter: entry({ who: 'facilitate', limits: { raison: LIMITS.concern }, toCommand: (f, c) => ({ type: 'PostponeProposal', ...by(c), ...reason(f) }) }),
  'passer-la-main': entry({ who: 'facilitate', toCommand: (_f, c) => ({ type: 'HandOverFacilitation', ...by(c) }) }),
};

/** The meeting permission each `who` asks for; the proposer's own actions need only to take part. */
const PERMISSION: Record<Who, Permission> = { facilitate: 'meeting.facilitate', participate: 'meeting.participate', propose: 'meeting.participate' };

/** The meeting permission an action asks for (recording it for someone else asks to facilitate). */
export function actionPermission(action: ActionName, forSomeoneElse = false): Permission {
  return forSomeoneElse ? 'meeting.facilitate' : PERMISSION[ACTION_TABLE[action].who];
}

/** The request to hand to the proposal service for a parsed form of this action. */
export function actionCommand(action: ActionName, fields: ActionFields): ProposalCommand {
  const e = ACTION_TABLE[action];
  return {
    may: [PERMISSION[e.who]],
    startsRound: e.startsRound,
    creates: false,
    onBehalfOf: 'pour' in e.schema.shape && typeof fields.pour === 'string' && fields.pour ? fields.pour : null,
    ownObjection: e.ownObjection,
    toCommand: (context) => e.toCommand(fields, context),
  };
}
