/**
 * The personas' script, read from the proposal's state: what « Étape suivante » plays now. Pure:
 * no I/O, no clock. The next step is always derived from the state of the real proposal (never
 * from a cursor), so a step played by hand in the live console, a trainee's own action or a
 * restart of the server leave the script where the proposal is.
 *
 * Facilitation (presenting, opening rounds, testing objections) is played for the trainer, who
 * facilitates the proposal; everything else is said by the persona whose turn it is. A persona
 * taken by a trainee or held by the trainer is not played: the script waits for them.
 */
import { openRound, VALIDITY_SETS, type Proposal } from '../consent/index.ts';
import type { ActionName } from '../proposals/actions.ts';
import type { ScriptInput } from './commands.ts';
import type { Persona, Scenario } from './scenarios.ts';

/** Where an app-played objector stands once their objection is integrated: they can live with it. */
export const LIFTED_POSITION = 3;

export interface PlayedPersona {
  persona: Persona;
  personId: string;
  /** Current step on the gradient; null while a trainee has not chosen. */
  position: number | null;
  /** Played by the app (else a trainee or the trainer acts for it). */
  byApp: boolean;
}

export type Step =
  /** `personaId` null: the trainer's facilitation. `position`: the persona moves on the gradient with it. */
  | { kind: 'play'; personaId: string | null; action: ActionName; input: ScriptInput; position?: number }
  /** The next move belongs to a persona played by a person (null: to someone who is no persona). */
  | { kind: 'wait'; personaId: string | null }
  /** The proposal is adopted, withdrawn or postponed. */
  | { kind: 'done' };

const facilitate = (action: ActionName, input: ScriptInput = {}): Step => ({ kind: 'play', personaId: null, action, input });

/** What the script plays next on `state`. Personas are given in the scenario's order; the first is the proposer. */
export function nextStep(state: Proposal, scenario: Scenario, personas: readonly PlayedPersona[]): Step {
  const byPerson = new Map(personas.map((p) => [p.personId, p]));
  const proposer = personas[0];
  if (!proposer) return { kind: 'done' };
  const everyone = personas.map((p) => p.personId);
  const say = (who: PlayedPersona | undefined, action: ActionName, input: ScriptInput = {}, position?: number): Step => {
    if (!who) return { kind: 'done' };
    if (!who.byApp) return { kind: 'wait', personaId: who.persona.id };
    return { kind: 'play', personaId: who.persona.id, action, input, ...(position === undefined ? {} : { position }) };
  };
  /** Who holds the floor: nobody (the round is over), a persona, or someone the script does not play. */
  const holder = (): PlayedPersona | null | 'stranger' => {
    const round = openRound(state);
    if (!round || round.turnIndex >= round.order.length) return null;
    return byPerson.get(round.order[round.turnIndex]!) ?? 'stranger';
  };
  const stranger: Step = { kind: 'wait', personaId: null };
  const text = state.versions[state.versions.length - 1]!.text;

  switch (state.stage) {
    case 'draft':
      return facilitate('presenter');
    case 'presentation':
      return facilitate('ouvrir-clarification', { participants: everyone });
    case 'clarification': {
      if (state.pendingQuestionId) {
        const question = state.questions.find((q) => q.id === state.pendingQuestionId);
        const asker = question ? byPerson.get(question.askerId) : undefined;
        // the scripted answer fits the scripted question only (a trainee may ask another one)
        const answer = asker && question?.text === asker.persona.question ? asker.persona.answer : undefined;
        return answer
          ? say(proposer, 'repondre', { questionId: state.pendingQuestionId, text: answer })
          : say(proposer, 'decliner', {
              questionId: state.pendingQuestionId,
              reason: 'La réponse n’est pas encore connue : elle sera donnée avant la décision.',
            });
      }
      const speaker = holder();
      if (speaker === 'stranger') return stranger;
      if (!speaker) return facilitate('ouvrir-reactions', { participants: everyone });
      return /^aucune\b/i.test(speaker.persona.question) ? say(speaker, 'passer') : say(speaker, 'question', { text: speaker.persona.question });
    }
    case 'reactions': {
      const speaker = holder();
      if (speaker === 'stranger') return stranger;
      if (!speaker) return facilitate('ouvrir-bonification');
      return say(speaker, 'reaction', { text: speaker.persona.reaction });
    }
    case 'amendment': {
      if (state.proposerDecision !== null) return facilitate('ouvrir-objections', { participants: everyone });
      const amendment = scenario.proposal.amendment;
      if (!amendment) return say(proposer, 'maintenir');
      const after = personas.find((p) => p.persona.id === amendment.after);
      const reaction = after ? state.reactions.find((r) => r.authorId === after.personId) : undefined;
      return say(proposer, 'amender', {
        text: `${text}\n${amendment.text}`,
        changeNote: amendment.note,
        motivatedBy: reaction ? [{ kind: 'reaction', id: reaction.id }] : [],
      });
    }
    case 'objections': {
      if (state.round === null) return facilitate('ouvrir-objections', { participants: everyone });
      const speaker = holder();
      if (speaker === 'stranger' || !speaker) return stranger;
      if (speaker.position === 5) return say(speaker, 'objection', { text: speaker.persona.objection?.text ?? speaker.persona.reason });
      // a reservation is recorded once with the decision, not at every round
      if (speaker.position === 4 && !state.concerns.some((c) => c.personId === speaker.personId))
        return say(speaker, 'preoccupation', { text: speaker.persona.reason });
      return say(speaker, 'pas-objection');
    }
    case 'testing': {
      const open = state.objections.find((o) => o.round === state.objectionRound.number && o.ruling === null && o.outcome === null);
      if (!open) return stranger;
      // an objection the script argues (importante ? argumentée ?) is valid; any other is not
      const valid = !!byPerson.get(open.objectorId)?.persona.objection;
      const answers = Object.fromEntries(VALIDITY_SETS[state.validitySet].questions.map((q) => [q.id, valid]));
      return facilitate('tester', { objectionId: open.id, answers, ruling: valid ? 'valid' : 'not_valid' });
    }
    case 'integration': {
      const { objectionId, amendedInVersion, liftConfirmed, tensionConfirmed } = state.current;
      const objection = state.objections.find((o) => o.id === objectionId);
      const objector = objection ? byPerson.get(objection.objectorId) : undefined;
      if (amendedInVersion === null) {
        const amendment = objector?.persona.objection?.amendment;
        if (!amendment) return { kind: 'wait', personaId: proposer.persona.id };
        return say(proposer, 'amender', {
          text: `${text}\n${amendment}`,
          changeNote: `Intègre l’objection de ${objector.persona.name}.`,
          motivatedBy: [{ kind: 'objection', id: objectionId }],
        });
      }
      if (!liftConfirmed) return say(objector, 'levee', { objectionId }, LIFTED_POSITION);
      if (!tensionConfirmed) return say(proposer, 'tension-resolue', { objectionId });
      return stranger;
    }
    case 'adopted':
    case 'withdrawn':
    case 'postponed':
      return { kind: 'done' };
  }
}
