/**
 * Scripted actions of trainer mode become commands through the action table, as a person's form
 * would: the same fields, the same schema, the same `toCommand`. A script speaks in the core's
 * words (text, questionId…); this maps them onto the form's field names once.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from '../consent/index.ts';
import { ACTION_TABLE, type ActionName } from '../proposals/actions.ts';

/** What a scripted step (or a trainee's form in trainer mode) says, in the core's words. */
export interface ScriptInput {
  text?: string;
  changeNote?: string;
  motivatedBy?: { kind: 'question' | 'reaction' | 'objection'; id: string }[];
  questionId?: string;
  objectionId?: string;
  personId?: string;
  answers?: Record<string, boolean>;
  ruling?: 'valid' | 'not_valid';
  rulingReason?: string;
  followUpDate?: string;
  reason?: string;
  onBehalfOf?: string;
  /** Round order: the personas present. */
  participants?: string[];
  /** Id for the new question, reaction, objection or concern. */
  newId?: string;
}

/** The core command for a scripted action; what the schema refuses is left for the core to refuse, in French. */
export function scriptedCommand(action: ActionName, actorId: string, at: string, input: ScriptInput): Command {
  const entry = ACTION_TABLE[action];
  const form: Record<string, unknown> = {
    texte: input.text,
    note: input.changeNote,
    motive: input.motivatedBy?.map((m) => `${m.kind}:${m.id}`),
    question: input.questionId,
    objection: input.objectionId,
    personne: input.personId,
    decision: input.ruling,
    date: input.followUpDate,
    raison: action === 'tester' ? input.rulingReason : input.reason,
    pour: input.onBehalfOf,
  };
  const parsed = entry.schema.safeParse(form);
  const fields = parsed.success ? (parsed.data as Record<string, unknown>) : Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v ?? '']));
  return entry.toCommand(
    { ...fields, reponses: input.answers ?? {} },
    {
      actorId,
      at,
      newId: input.newId ?? randomUUID(),
      participants: input.participants ?? [],
      meeting: { facilitatorPersonId: null, secretaryPersonId: null } as never,
    },
  );
}
