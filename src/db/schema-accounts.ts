/** Row types of accounts, circles, sessions, the sign-in throttle and meetings (migration 0003). */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp with a default: optional on insert. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A timestamp that must be given on insert. */
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;

export type AccountRole = 'admin' | 'facilitator' | 'member' | 'observer';
export type MeetingRole = 'facilitator' | 'secretary' | 'proposer' | 'participant' | 'observer';
export type SessionKind = 'anonymous' | 'account' | 'guest';
export type MeetingStatus = 'planned' | 'open' | 'closed';

export interface CirclesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  created_at: Timestamp;
}

export interface AccountsTable {
  person_id: string;
  email: string;
  role: AccountRole;
  password_hash: string | null;
  disabled_at: Timestamp | null;
  created_at: Timestamp;
  /** Failed sign-ins since the last successful one, told to the owner at the next sign-in (migration 0005). */
  failed_sign_ins: Generated<number>;
}

export interface SessionsTable {
  id_hash: string;
  kind: SessionKind;
  person_id: string | null;
  meeting_id: string | null;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** A message shown once on the next page, then cleared (migration 0005). */
  notice: ColumnType<SessionNotice | null, string | null | undefined, string | null>;
}

export interface SessionNotice {
  key: string;
  params?: Record<string, string | number>;
}

/** Secrets shared by every app instance, created once (migration 0005). */
export interface AppSecretsTable {
  name: string;
  value: string;
  created_at: Generated<Date>;
}

export interface SignInFailuresTable {
  id: Generated<number>;
  email: string;
  address: string;
  failed_at: Timestamp;
}

export interface PasswordResetsTable {
  token_hash: string;
  person_id: string;
  created_by: string;
  created_at: Timestamp;
  expires_at: RequiredTimestamp;
  used_at: Timestamp | null;
}

export interface MeetingsTable {
  id: Generated<string>;
  circle_id: string;
  title: string;
  scheduled_for: RequiredTimestamp;
  join_code: string;
  facilitator_person_id: string;
  secretary_person_id: string | null;
  created_by: string;
  created_at: Timestamp;
  status: Generated<MeetingStatus>;
  /** A training session (trainer mode, migration 0005): never a decision, kept out of the register. */
  is_training: Generated<boolean>;
  /** Where the séance is held, for its relevé (migration 0009); '' when not said. */
  place: Generated<string>;
  /** When and by whom the séance was opened and closed (migration 0009). */
  opened_at: Timestamp | null;
  opened_by: string | null;
  closed_at: Timestamp | null;
  closed_by: string | null;
}

export interface MeetingMembersTable {
  meeting_id: string;
  person_id: string;
  role: MeetingRole;
  is_guest: Generated<boolean>;
  present: Generated<boolean>;
  /** false for someone in the room without a device, whose turns are recorded for them (migration 0004) */
  has_device: Generated<boolean>;
  joined_at: Timestamp;
  removed_at: Timestamp | null;
}

/** Two entries of a séance merged into one person: the removed entry is an alias of the kept one (migration 0016). */
export interface MeetingMergesTable {
  merged_person_id: string;
  meeting_id: string;
  kept_person_id: string;
  merged_name: string;
  merged_by: string;
  merged_at: Timestamp;
}

export interface AccountTables {
  circles: CirclesTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  app_secrets: AppSecretsTable;
  sign_in_failures: SignInFailuresTable;
  password_resets: PasswordResetsTable;
  meetings: MeetingsTable;
  meeting_members: MeetingMembersTable;
  meeting_merges: MeetingMergesTable;
}
