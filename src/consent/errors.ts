// Domain errors: why the method refuses a command, in French first and English.

/** Every reason the core can refuse a command, with its French and English message. */
export const ERROR_MESSAGES = {
  NO_PROPOSAL: {
    fr: "Cette proposition n'existe pas.",
    en: 'This proposal does not exist.',
  },
  ALREADY_EXISTS: {
    fr: 'Cette proposition existe déjà.',
    en: 'This proposal already exists.',
  },
  WRONG_STAGE: {
    fr: "Ce n'est pas le moment : cette action n'appartient pas à l'étape en cours.",
    en: 'Not now: this action does not belong to the current stage.',
  },
  NOT_ALLOWED: {
    fr: "Vous n'êtes pas autorisé·e à faire cela.",
    en: 'You are not allowed to do that.',
  },
  NOT_PROPOSER: {
    fr: 'Seul le porteur ou la porteuse de la proposition peut faire cela.',
    en: 'Only the proposer can do that.',
  },
  NOT_FACILITATOR: {
    fr: 'Seule la facilitation peut faire cela.',
    en: 'Only the facilitator can do that.',
  },
  NOT_OBJECTOR: {
    fr: "Seul l'objecteur ou l'objectrice peut faire cela.",
    en: 'Only the objector can do that.',
  },
  NO_SECRETARY: {
    fr: "Aucun ou aucune secrétaire de séance n'est désigné·e.",
    en: 'No secretary has been appointed.',
  },
  ALREADY_FACILITATING: {
    fr: 'Le ou la secrétaire assure déjà la facilitation.',
    en: 'The secretary already holds facilitation.',
  },
  NOT_YOUR_TURN: {
    fr: "Ce n'est pas votre tour de parole.",
    en: 'It is not your turn.',
  },
  NOT_CURRENT_TURN: {
    fr: "Cette personne n'a pas la parole.",
    en: 'This person does not hold the floor.',
  },
  NOT_IN_ROUND: {
    fr: "Vous ne faites pas partie de ce tour ; vous participerez au tour suivant.",
    en: 'You are not part of this round; you will join the next one.',
  },
  ALREADY_SPOKEN: {
    fr: 'Vous avez déjà pris votre tour.',
    en: 'You have already taken your turn.',
  },
  QUESTION_PENDING: {
    fr: 'Une question attend la réponse du porteur ou de la porteuse.',
    en: 'A question is waiting for the proposer’s answer.',
  },
  ROUND_COMPLETE: {
    fr: 'Le tour est terminé.',
    en: 'The round is complete.',
  },
  ROUND_INCOMPLETE: {
    fr: "Le tour n'est pas terminé : chaque personne présente doit avoir pris son tour.",
    en: 'The round is not complete: every present participant must have taken their turn.',
  },
  ROUND_IN_PROGRESS: {
    fr: 'Un tour est déjà en cours.',
    en: 'A round is already in progress.',
  },
  NO_ACTIVE_ROUND: {
    fr: "Aucun tour n'est en cours.",
    en: 'No round is in progress.',
  },
  EMPTY_ROUND: {
    fr: "Le tour n'a aucun ou aucune participante.",
    en: 'The round has no participants.',
  },
  DUPLICATE_PARTICIPANT: {
    fr: 'Une personne figure deux fois dans le tour.',
    en: 'A person appears twice in the round.',
  },
  POSITION_REQUIRED: {
    fr: "Au tour d'objections, chaque personne prend position : pas d'objection, objection ou préoccupation.",
    en: 'In the objection round everyone takes a position: no objection, objection or concern.',
  },
  EMPTY_TEXT: {
    fr: 'Le texte ne peut pas être vide.',
    en: 'The text cannot be empty.',
  },
  TEXT_UNCHANGED: {
    fr: 'Le texte est identique à la version en cours.',
    en: 'The text is identical to the current version.',
  },
  DUPLICATE_ID: {
    fr: 'Cet identifiant est déjà utilisé.',
    en: 'This identifier is already in use.',
  },
  UNKNOWN_QUESTION: {
    fr: "Cette question n'attend pas de réponse.",
    en: 'This question is not awaiting an answer.',
  },
  UNKNOWN_OBJECTION: {
    fr: "Cette objection n'existe pas dans ce tour.",
    en: 'This objection does not exist in this round.',
  },
  UNKNOWN_REFERENCE: {
    fr: 'Une question, réaction ou objection citée est inconnue.',
    en: 'A referenced question, reaction or objection is unknown.',
  },
  PROPOSER_UNDECIDED: {
    fr: "Le porteur ou la porteuse doit d'abord bonifier ou maintenir la proposition.",
    en: 'The proposer must first amend or keep the proposal.',
  },
  ALREADY_DECIDED: {
    fr: 'Le porteur ou la porteuse a déjà maintenu la proposition.',
    en: 'The proposer has already kept the proposal.',
  },
  ALREADY_RULED: {
    fr: 'Cette objection a déjà été testée ou close.',
    en: 'This objection has already been tested or closed.',
  },
  OBJECTION_CLOSED: {
    fr: 'Cette objection a déjà une issue.',
    en: 'This objection already has an outcome.',
  },
  NOT_CURRENT_OBJECTION: {
    fr: "Cette objection n'est pas celle en cours d'intégration.",
    en: 'This objection is not the one being integrated.',
  },
  NOT_AMENDED: {
    fr: "La proposition n'a pas encore été bonifiée pour intégrer cette objection.",
    en: 'The proposal has not yet been amended to integrate this objection.',
  },
  ALREADY_CONFIRMED: {
    fr: 'Cette confirmation a déjà été donnée.',
    en: 'This confirmation has already been given.',
  },
  UNKNOWN_VALIDITY_SET: {
    fr: 'Ce jeu de questions de validité est inconnu.',
    en: 'Unknown validity question set.',
  },
  UNKNOWN_VALIDITY_QUESTION: {
    fr: "Cette question de validité n'appartient pas au jeu choisi.",
    en: 'This validity question does not belong to the chosen set.',
  },
  INCOMPLETE_TEST: {
    fr: 'Chaque question de validité doit recevoir une réponse.',
    en: 'Every validity question must be answered.',
  },
  INVALID_DATE: {
    fr: 'La date doit être au format AAAA-MM-JJ.',
    en: 'The date must be in YYYY-MM-DD format.',
  },
  NO_POSITIONS: {
    fr: "Aucune position n'a été donnée.",
    en: 'No position was given.',
  },
  INVALID_POSITION: {
    fr: 'Une position doit être comprise entre 1 et 5.',
    en: 'A position must be between 1 and 5.',
  },
} as const satisfies Record<string, { fr: string; en: string }>;

/** Code of a domain error, e.g. `'NOT_YOUR_TURN'`. */
export type ErrorCode = keyof typeof ERROR_MESSAGES;

/** A command refused by the method. Carries an i18n key and both messages. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  /** i18n key, e.g. `errors.not_your_turn`. */
  readonly messageKey: string;
  readonly fr: string;
  readonly en: string;

  constructor(code: ErrorCode) {
    const { fr, en } = ERROR_MESSAGES[code];
    super(en);
    this.code = code;
    this.messageKey = `errors.${code.toLowerCase()}`;
    this.fr = fr;
    this.en = en;
  }
}

/** Type guard for results of `decide` and `compareDecisionRules`. */
export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

/** Exhaustiveness check: a forgotten case becomes a compile error. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
