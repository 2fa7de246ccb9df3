/** Row types of trainer mode (migration 0007). meetings.is_training is declared with meetings. */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type TrainingPhase = 'secret' | 'revealed';

export interface TrainingSessionsTable {
  meeting_id: string;
  scenario_id: string;
  phase: ColumnType<TrainingPhase, TrainingPhase | undefined, TrainingPhase>;
  votes_per_person: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
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
