/** Bounds on what people may type, shared by validation, views (maxlength) and the body parser. */
export const LIMITS = {
  /** A person's display name (persons.display_name has the same check). */
  name: 120,
  email: 254,
  passwordMin: 12,
  /** argon2 hashes anything, but a megabyte password is a denial of service, not a password. */
  passwordMax: 256,
  circleName: 120,
  circleDescription: 2000,
  meetingTitle: 200,
  joinCode: 20,
  proposalTitle: 200,
  proposalText: 20_000,
  tension: 5_000,
  criteria: 5_000,
  question: 2_000,
  answer: 5_000,
  reaction: 5_000,
  objection: 5_000,
  concern: 5_000,
  changeNote: 2_000,
  /** The url-encoded body: the longest text (20 000 characters, each up to 9 bytes once encoded) fits. */
  body: '256kb',
} as const;
