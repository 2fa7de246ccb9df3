/** Row types of the dot vote on a séance's agenda and the order it stores (migration 0013). */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AgendaDotVotesTable {
  meeting_id: string;
  votes_per_person: ColumnType<number, number | undefined, number>;
  opened_by: string;
  opened_at: Timestamp;
  /** null while participants may place their dots. */
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AgendaDotsTable {
  meeting_id: string;
  person_id: string;
  proposal_id: string;
  dots: number;
}

export interface AgendaOrderTable {
  meeting_id: string;
  proposal_id: string;
  /** 0 first; the agenda lists ranked items by rank, then the others as they were put on it. */
  rank: number;
}

export interface AgendaTables {
  agenda_dot_votes: AgendaDotVotesTable;
  agenda_dots: AgendaDotsTable;
  agenda_order: AgendaOrderTable;
}
