/** The refusals of trainer mode. */

/** A refusal of trainer mode; its text is `training.errors.<code>`. */
export class TrainingError extends Error {
  constructor(
    readonly code:
      | 'persona_taken'
      | 'no_persona'
      | 'already_revealed'
      | 'no_votes_left'
      | 'no_vote_here'
      | 'unknown_project'
      | 'unknown_persona'
      | 'unknown_scenario'
      | 'unknown_circle'
      | 'not_yours'
      | 'waiting'
      | 'finished',
  ) {
    super(code);
    this.name = 'TrainingError';
  }
}
