/** Row types of trainer mode (migrations 0007 and 0010). meetings.is_training is declared with meetings. */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type TrainingPhase = 'secret' | 'revealed';

export interface TrainingSessionsTable {
  meeting_id: string;
  scenario_id: string;
  phase: ColumnType<TrainingPhase, TrainingPhase | undefined, TrainingPhase>;
  votes_per_person: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  /** The real proposal the personas play through the consent core (migration 0010). */
  proposal_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Auto-play: seconds between two scripted steps; null: step by step. */
  autoplay_seconds: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface TrainingPersonasTable {
  meeting_id: string;
  persona_id: string;
  /** The persona's rank in its scenario file, to list them in the same order everywhere. */
  ordinal: number;
  /** 1–5 on the gradient; null while a trainee has not chosen. */
  position: number | null;
  /** The trainee playing it; null: played by the app (and the trainer). */
  taken_by: string | null;
  /** The persons row that speaks for the persona in the proposal (migration 0010). */
  person_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The trainer took it over: the app no longer plays it. */
  held: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface TrainingVotesTable {
  meeting_id: string;
  person_id: string;
  project_id: string;
  dots: number;
}

export interface TrainingTables {
  training_sessions: TrainingSessionsTable;
  training_personas: TrainingPersonasTable;
  training_votes: TrainingVotesTable;
}
