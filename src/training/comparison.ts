/**
 * The trainer's comparison: the pure `compareDecisionRules` of the consent core, with what a
 * training room also needs: personas who have not chosen (abstentions, left out of the count as
 * in a French council, where only votes cast count), and the ones who prevent each outcome.
 */
import { compareDecisionRules, POSITIONS, type DecisionRulesComparison, type Position } from '../consent/rules.ts';

export interface PersonaPosition {
  personaId: string;
  /** null: has not chosen (an abstention for the count). */
  position: Position | null;
}

export interface Comparison {
  /** null when nobody has chosen yet: no rule decides anything without positions. */
  rules: DecisionRulesComparison | null;
  abstentions: string[];
  /** Who sits on each step of the gradient, in the order given. */
  byStep: Record<Position, string[]>;
  /** Votes cast under majority (for + against). */
  cast: number;
  /** A tie under majority: the proposal is not adopted (unless the chair has a casting vote). */
  tie: boolean;
}

export function compare(positions: readonly PersonaPosition[]): Comparison {
  const chosen = positions.filter((p): p is { personaId: string; position: Position } => p.position !== null);
  const byStep = Object.fromEntries(POSITIONS.map((step) => [step, chosen.filter((p) => p.position === step).map((p) => p.personaId)])) as Record<
    Position,
    string[]
  >;
  const abstentions = positions.filter((p) => p.position === null).map((p) => p.personaId);
  if (chosen.length === 0) return { rules: null, abstentions, byStep, cast: 0, tie: false };
  const rules = compareDecisionRules(chosen.map((p) => ({ personId: p.personaId, position: p.position })));
  // The service never passes duplicates nor steps outside 1–5: a refusal here is a bug.
  if (!('consensus' in rules)) throw new Error(`comparison refused: ${rules.message}`);
  return { rules, abstentions, byStep, cast: rules.majority.for + rules.majority.against, tie: rules.majority.for === rules.majority.against };
}
