/** Row types of the consent log and of the read models projected from it. */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from './schema.ts';

export type DateColumn = ColumnType<string, string | null | undefined, string | null>;

export interface EventsTable {
  id: Generated<number>;
  stream_id: string;
  seq: number;
  type: string;
  data: JSONColumnType<Record<string, unknown>, string, string>;
  actor_id: string | null;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
  prev_hash: string;
  hash: string;
}

export interface ProposalsTable {
  id: string;
  meeting_id: string | null;
  title: string;
  tension: string;
  criteria: string;
  review_date: DateColumn | null;
  validity_set: string;
  stage: string;
  proposer_id: string;
  facilitator_id: string;
  acting_facilitator_id: string;
  secretary_id: string | null;
  current_version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
  /** The folded state after event `state_seq`: a snapshot, not always the latest (migration 0015). */
  state: JSONColumnType<object, string, string>;
  state_seq: number;
  last_seq: number;
  last_hash: string;
  /** When the decision was published (/decisions-publiques); migration 0008. */
  published_at: Timestamp | null;
  /** The decision this proposal revises; migration 0008. */
  revises_id: string | null;
}

export interface ProposalVersionsTable {
  proposal_id: string;
  number: number;
  text: string;
  change_note: string | null;
  motivated_by: JSONColumnType<unknown[], string, string>;
  author_id: string;
  recorded_by: string | null;
  created_at: Timestamp;
}

export interface RoundsTable {
  proposal_id: string;
  number: number;
  kind: 'clarification' | 'reaction' | 'objection';
  version_number: number;
  turn_order: JSONColumnType<string[], string, string>;
  started_at: Timestamp;
  started_by: string;
  completed_at: Timestamp | null;
}

export interface ContributionsTable {
  id: Generated<number>;
  proposal_id: string;
  round_kind: string | null;
  round_number: number | null;
  event_seq: number;
  kind: string;
  ref_id: string | null;
  person_id: string;
  recorded_by: string | null;
  body: string | null;
  in_reply_to: string | null;
  created_at: Timestamp;
}

export interface ObjectionsTable {
  id: string;
  proposal_id: string;
  round_number: number;
  version_number: number;
  objector_id: string;
  recorded_by: string | null;
  reasoning: string;
  raised_at: Timestamp;
  test_answers: JSONColumnType<Record<string, boolean>, string, string> | null;
  ruling: 'valid' | 'not_valid' | null;
  ruled_by: string | null;
  ruled_at: Timestamp | null;
  /** Why the facilitator ruled against the answers of the test, if they did (migration 0009). */
  ruling_reason: Generated<string | null>;
  outcome: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  follow_up_date: DateColumn | null;
}

/** A submission key, one per (person, proposal) (migration 0005), with a fingerprint of what was sent. */
export interface CommandKeysTable {
  key: string;
  proposal_id: string;
  person_id: string;
  fingerprint: string | null;
  created_at: Timestamp;
}

export interface EventTables {
  command_keys: CommandKeysTable;
  events: EventsTable;
  proposals: ProposalsTable;
  proposal_versions: ProposalVersionsTable;
  rounds: RoundsTable;
  contributions: ContributionsTable;
  objections: ObjectionsTable;
}
