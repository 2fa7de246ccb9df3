// Trainer mode: the same positions read by three decision rules (design.md §3).
// Consensus: everybody says yes. Consent: nobody says no. Majority: more for than against.

import { DomainError } from './errors.ts';
import type { PersonId } from './states.ts';

/** A step on the five-step gradient, from "Oui, pleinement" (1) to "Objection" (5). */
export type Position = 1 | 2 | 3 | 4 | 5;

/** The five positions as shown to participants, French first. */
export const POSITION_LABELS: Readonly<Record<Position, { fr: string; en: string }>> = {
  1: { fr: 'Oui, pleinement', en: 'Yes, fully' },
  2: { fr: 'D’accord', en: 'Agreed' },
  3: {
    fr: 'Je préférerais autre chose, mais je peux vivre avec (zone de tolérance)',
    en: 'I would prefer something else, but I can live with it (range of tolerance)',
  },
  4: { fr: 'Préoccupation (réserve)', en: 'Concern (reservation)' },
  5: { fr: 'Objection : cela nuirait', en: 'Objection: it would cause harm' },
};

/** All positions, in gradient order. */
export const POSITIONS: readonly Position[] = [1, 2, 3, 4, 5];

export interface PersonPosition {
  personId: PersonId;
  position: Position;
}

export interface ConsensusReading {
  /** Everybody says yes (positions 1–2). */
  decided: boolean;
  supporters: PersonId[];
  /** Everyone at 3–5: any one of them prevents consensus. */
  blockers: PersonId[];
}

export interface ConsentReading {
  /** Nobody says no (no position 5). */
  decided: boolean;
  /** Position 5: objections to integrate. */
  objectors: PersonId[];
  /** Position 4: recorded with the decision, never blocking. */
  concerns: PersonId[];
  next: 'adopt' | 'integrate_objections';
}

export interface MajorityReading {
  /** More votes for (1–2) than against (3–5), of votes cast. */
  decided: boolean;
  for: number;
  against: number;
  /** The side that got its way: those for when decided, those against otherwise. */
  winners: PersonId[];
  losers: PersonId[];
}

export interface DecisionRulesComparison {
  consensus: ConsensusReading;
  consent: ConsentReading;
  majority: MajorityReading;
}

/**
 * What consensus, consent and majority would each decide from the same positions.
 * Refuses an empty list (no rule decides anything without people), duplicates and
 * positions outside 1–5.
 */
export function compareDecisionRules(positions: readonly PersonPosition[]): DecisionRulesComparison | DomainError {
  if (positions.length === 0) return new DomainError('NO_POSITIONS');
  if (new Set(positions.map((p) => p.personId)).size !== positions.length) {
    return new DomainError('DUPLICATE_PARTICIPANT');
  }
  if (!positions.every((p) => POSITIONS.includes(p.position))) return new DomainError('INVALID_POSITION');

  const who = (test: (position: Position) => boolean): PersonId[] => positions.filter((p) => test(p.position)).map((p) => p.personId);
  const yes = who((x) => x <= 2);
  const notYes = who((x) => x >= 3);
  const objectors = who((x) => x === 5);
  const majorityDecided = yes.length > notYes.length;

  return {
    consensus: { decided: notYes.length === 0, supporters: yes, blockers: notYes },
    consent: {
      decided: objectors.length === 0,
      objectors,
      concerns: who((x) => x === 4),
      next: objectors.length === 0 ? 'adopt' : 'integrate_objections',
    },
    majority: {
      decided: majorityDecided,
      for: yes.length,
      against: notYes.length,
      winners: majorityDecided ? yes : notYes,
      losers: majorityDecided ? notYes : yes,
    },
  };
}
