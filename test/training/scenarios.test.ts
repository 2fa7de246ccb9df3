import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarios, parseScenarioFile, scenarioSchema, SCENARIOS_DIR } from '../../src/training/scenarios.ts';
import { compare } from '../../src/training/comparison.ts';

const files = fs.readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.json'));

/** Every string of a parsed JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('scenario files', () => {
  it('when the scenarios are loaded, then the Atelier 3 question and the five « C’est mon choix » projects are there', () => {
    const all = loadScenarios();
    expect(all[0]!.id).toBe('atelier-3-consentement');
    expect(all[0]!.question).toContain('culture du consensus à une culture du consentement');
    expect(all.filter((s) => s.kind === 'projet')).toHaveLength(5);
  });

  describe.each(files)('%s', (file) => {
    const raw = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, file), 'utf8')) as unknown;

    it('when it is checked against the schema, then it is valid and named after its id', () => {
      const parsed = scenarioSchema.safeParse(raw);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(parseScenarioFile(path.join(SCENARIOS_DIR, file)).id).toBe(file.replace(/\.json$/, ''));
    });

    it('when its texts are read, then they follow French typography', () => {
      for (const s of strings(raw)) {
        expect(s, s).not.toMatch(/'/); // the typographic apostrophe ’
        expect(s, s).not.toMatch(/ [:;!?»]/); // a non-breaking space before the high punctuation
        expect(s, s).not.toMatch(/« /);
      }
    });

    it('when its scripted positions are compared, then each rule decides as the gradient says', () => {
      const scenario = parseScenarioFile(path.join(SCENARIOS_DIR, file));
      const result = compare(scenario.personas.map((p) => ({ personaId: p.id, position: p.position })));
      const rules = result.rules!;
      const notYes = scenario.personas.filter((p) => p.position >= 3).map((p) => p.id);
      const yes = scenario.personas.filter((p) => p.position <= 2).map((p) => p.id);
      const objectors = scenario.personas.filter((p) => p.position === 5).map((p) => p.id);
      // consensus: not reached as soon as one persona is at step 3 or beyond
      expect(rules.consensus.decided).toBe(notYes.length === 0);
      expect(rules.consensus.blockers).toEqual(notYes);
      // majority: exact counts, nobody abstains in a scripted scenario
      expect(rules.majority.for).toBe(yes.length);
      expect(rules.majority.against).toBe(notYes.length);
      expect(result.cast).toBe(scenario.personas.length);
      expect(rules.majority.decided).toBe(yes.length > notYes.length);
      // consent: each objection is to integrate, each concern recorded
      expect(rules.consent.objectors).toEqual(objectors);
      expect(rules.consent.concerns).toEqual(scenario.personas.filter((p) => p.position === 4).map((p) => p.id));
      expect(rules.consent.next).toBe(objectors.length ? 'integrate_objections' : 'adopt');
    });
  });

  it('when the scripted positions are compared, then every scenario shows consensus failing where consent needs one objection integrated', () => {
    for (const s of loadScenarios()) {
      const r = compare(s.personas.map((p) => ({ personaId: p.id, position: p.position }))).rules!;
      expect(r.consensus.decided, s.id).toBe(false);
      expect(r.consent.objectors, s.id).toHaveLength(1);
    }
  });

  it('when a file breaks the schema, then loading names the file and the field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-scenarios-'));
    const good = JSON.parse(fs.readFileSync(path.join(SCENARIOS_DIR, 'plan-climat.json'), 'utf8')) as {
      id: string;
      personas: { position: number; objection?: unknown }[];
    };
    good.id = 'casse';
    delete good.personas.find((p) => p.position === 5)!.objection;
    fs.writeFileSync(path.join(dir, 'casse.json'), JSON.stringify(good));
    expect(() => loadScenarios(dir)).toThrow(/casse\.json.*objection/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the comparison', () => {
  it('when two personas abstain, then majority counts the votes cast only and names the abstentions', () => {
    const r = compare([
      { personaId: 'a', position: 1 },
      { personaId: 'b', position: 3 },
      { personaId: 'c', position: 2 },
      { personaId: 'd', position: null },
      { personaId: 'e', position: null },
    ]);
    expect(r.abstentions).toEqual(['d', 'e']);
    expect(r.cast).toBe(3);
    expect(r.rules!.majority).toMatchObject({ decided: true, for: 2, against: 1, winners: ['a', 'c'], losers: ['b'] });
    expect(r.byStep[3]).toEqual(['b']);
  });

  it('when nobody has chosen, then no rule decides', () => {
    const r = compare([{ personaId: 'a', position: null }]);
    expect(r.rules).toBeNull();
    expect(r.abstentions).toEqual(['a']);
  });

  it('when the votes cast are tied, then majority does not adopt and says it is a tie', () => {
    const r = compare([
      { personaId: 'a', position: 2 },
      { personaId: 'b', position: 4 },
    ]);
    expect(r.tie).toBe(true);
    expect(r.rules!.majority.decided).toBe(false);
  });
});

describe('the trainer mode catalogues', () => {
  it('when the French texts are read, then they follow French typography', async () => {
    const { trainingFr } = await import('../../src/i18n/locales/fr/training.ts');
    for (const s of strings(trainingFr)) {
      expect(s, s).not.toMatch(/'/);
      expect(s, s).not.toMatch(/ [:;!?»]/);
      expect(s, s).not.toMatch(/« /);
    }
  });

  it('when the English catalogue is compared with the French one, then every text exists in both', async () => {
    const { trainingFr } = await import('../../src/i18n/locales/fr/training.ts');
    const { trainingEn } = await import('../../src/i18n/locales/en/training.ts');
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(trainingEn).sort()).toEqual(keys(trainingFr).sort());
  });
});
