// Trainer mode: consensus, consent and majority read from the same positions (design.md §3).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  POSITIONS,
  POSITION_LABELS,
  compareDecisionRules,
  isDomainError,
  type DecisionRulesComparison,
  type PersonPosition,
  type Position,
} from '../../src/consent/index.ts';

const RUNS = Number(process.env.FC_RUNS ?? 1000);

function compare(positions: PersonPosition[]): DecisionRulesComparison {
  const result = compareDecisionRules(positions);
  if (isDomainError(result)) throw result;
  return result;
}

/** One person at `position`, the others fully in favour: isolates what one row of the table does. */
const withOne = (position: Position) =>
  compare([
    { personId: 'elue', position },
    { personId: 'dgs', position: 1 },
    { personId: 'agent', position: 1 },
  ]);

describe('the five positions, row by row', () => {
  it.each([
    [1, { consensus: true, consent: true, objector: false, concern: false, majorityFor: true }],
    [2, { consensus: true, consent: true, objector: false, concern: false, majorityFor: true }],
    [3, { consensus: false, consent: true, objector: false, concern: false, majorityFor: false }],
    [4, { consensus: false, consent: true, objector: false, concern: true, majorityFor: false }],
    [5, { consensus: false, consent: false, objector: true, concern: false, majorityFor: false }],
  ] as const)('when one person is at position %i, then each rule reads it as the table says', (position, row) => {
    const result = withOne(position);
    expect(result.consensus.decided).toBe(row.consensus);
    expect(result.consensus.blockers.includes('elue')).toBe(!row.consensus);
    expect(result.consent.decided).toBe(row.consent);
    expect(result.consent.objectors.includes('elue')).toBe(row.objector);
    expect(result.consent.concerns.includes('elue')).toBe(row.concern);
    expect(result.consent.next).toBe(row.objector ? 'integrate_objections' : 'adopt');
    expect(result.majority.for + result.majority.against).toBe(3);
    expect(result.majority.for).toBe(row.majorityFor ? 3 : 2);
  });

  it('when position 3 is given, then consensus fails but consent passes: "je peux vivre avec"', () => {
    const result = compare([
      { personId: 'habitant', position: 3 },
      { personId: 'association', position: 2 },
    ]);
    expect(result.consensus).toEqual({ decided: false, supporters: ['association'], blockers: ['habitant'] });
    expect(result.consent).toEqual({ decided: true, objectors: [], concerns: [], next: 'adopt' });
  });

  it('when the majority is for, then those for win and those against lose', () => {
    const result = compare([
      { personId: 'a', position: 1 },
      { personId: 'b', position: 2 },
      { personId: 'c', position: 5 },
    ]);
    expect(result.majority).toEqual({ decided: true, for: 2, against: 1, winners: ['a', 'b'], losers: ['c'] });
    expect(result.consent).toMatchObject({ decided: false, objectors: ['c'], next: 'integrate_objections' });
  });

  it('when votes are tied, then majority does not decide and those against prevail', () => {
    const result = compare([
      { personId: 'a', position: 2 },
      { personId: 'b', position: 3 },
    ]);
    expect(result.majority).toEqual({ decided: false, for: 1, against: 1, winners: ['b'], losers: ['a'] });
  });

  it('when a concern is given, then consent records it without blocking', () => {
    const result = compare([
      { personId: 'a', position: 4 },
      { personId: 'b', position: 4 },
    ]);
    expect(result.consent).toEqual({ decided: true, objectors: [], concerns: ['a', 'b'], next: 'adopt' });
    expect(result.majority.decided).toBe(false);
  });
});

describe('refused inputs', () => {
  it('when nobody gave a position, then no rule decides anything', () => {
    expect(compareDecisionRules([])).toMatchObject({ code: 'NO_POSITIONS' });
  });

  it('when someone gives two positions, then it is refused', () => {
    expect(
      compareDecisionRules([
        { personId: 'a', position: 1 },
        { personId: 'a', position: 5 },
      ]),
    ).toMatchObject({ code: 'DUPLICATE_PARTICIPANT' });
  });

  it('when a position is outside 1 to 5, then it is refused', () => {
    expect(compareDecisionRules([{ personId: 'a', position: 6 as Position }])).toMatchObject({ code: 'INVALID_POSITION' });
  });
});

describe('labels', () => {
  it('when positions are shown, then the labels are the ones of the table, French first', () => {
    expect(POSITIONS.map((p) => POSITION_LABELS[p].fr)).toEqual([
      'Oui, pleinement',
      'D’accord',
      'Je préférerais autre chose, mais je peux vivre avec (zone de tolérance)',
      'Préoccupation (réserve)',
      'Objection\u00a0: cela nuirait',
    ]);
    for (const p of POSITIONS) expect(POSITION_LABELS[p].en).not.toBe('');
  });
});

describe('properties of the comparison', () => {
  const positionsArb = fc.uniqueArray(fc.record({ personId: fc.string({ minLength: 1, maxLength: 4 }), position: fc.constantFrom(...POSITIONS) }), {
    minLength: 1,
    maxLength: 30,
    selector: (p) => p.personId,
  });

  it('when anyone gives positions, then consent is decided iff nobody is at 5, and consensus decided implies consent decided', () => {
    fc.assert(
      fc.property(positionsArb, (positions) => {
        const result = compare(positions);
        expect(result.consent.decided).toBe(positions.every((p) => p.position !== 5));
        if (result.consensus.decided) expect(result.consent.decided).toBe(true);
        expect(result.majority.for + result.majority.against).toBe(positions.length);
        expect([...result.majority.winners, ...result.majority.losers].sort()).toEqual(positions.map((p) => p.personId).sort());
      }),
      { numRuns: RUNS },
    );
  });
});
