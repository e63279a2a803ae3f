// Kysely row types. They mirror src/db/migrations/*.sql; keep both in step (a wrong type
// here shows up as a failing typed query in the feature tests).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type UserRole = 'user' | 'operator' | 'admin';
export type UserStatus = 'active' | 'inactive' | 'suspended';
export type SiteRole = 'owner' | 'admin' | 'analyst' | 'agent' | 'viewer';
export const SITE_ROLES: readonly SiteRole[] = ['owner', 'admin', 'analyst', 'agent', 'viewer'];

export interface SitesTable {
  id: Generated<string>;
  name: string;
  allowed_origins: ColumnType<string[], string[] | undefined, string[]>;
  public_key: string;
  settings: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: NullableTimestamp;
}

export interface UsersTable {
  id: Generated<number>;
  site_id: string | null;
  /** email, username, first_name, last_name: "enc1.…" ciphertext (src/db/encrypted-columns.ts). */
  email: string;
  username: string;
  hashed_password: string;
  first_name: string | null;
  last_name: string | null;
  /** Blind indexes of email and username; null only on rows written before 0006 and not yet encrypted. */
  email_index: string | null;
  username_index: string | null;
  role: ColumnType<UserRole, UserRole | undefined, UserRole>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  avatar_url: string | null;
  language: ColumnType<string | null, string | null | undefined, string | null>;
  timezone: ColumnType<string | null, string | null | undefined, string | null>;
  gdpr_consent: ColumnType<boolean | null, boolean | undefined, boolean>;
  data_processing_consent: ColumnType<boolean | null, boolean | undefined, boolean>;
  marketing_consent: ColumnType<boolean | null, boolean | undefined, boolean>;
  totp_secret: string | null;
  totp_enabled_at: NullableTimestamp;
  totp_last_step: ColumnType<string | null, number | null | undefined, number | null>;
  created_at: Generated<Date>;
  updated_at: NullableTimestamp;
  last_login: NullableTimestamp;
}

export interface SiteMembersTable {
  site_id: string;
  user_id: number;
  role: SiteRole;
  created_at: Generated<Date>;
}

export interface SiteInvitesTable {
  id: Generated<string>;
  site_id: string;
  /** Ciphertext; email_index is its blind index (operator scope). */
  email: string;
  email_index: string | null;
  role: SiteRole;
  token_hash: string;
  invited_by: number | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  family_id: string;
  user_id: number;
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface TotpRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: NullableTimestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  site_id: string;
  name: string;
  role: SiteRole;
  prefix: string;
  key_hash: string;
  created_by: number | null;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface InstanceStateTable {
  key: string;
  value: Json<unknown>;
  updated_at: Generated<Date>;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

export interface UserSessionsTable {
  session_id: string;
  site_id: string;
  visitor_id: string;
  user_id: string | null;
  start_time: Timestamp;
  end_time: Timestamp;
  device_info: Json<Record<string, unknown>>;
  referrer: string | null;
  consent_status: Json<Record<string, boolean>>;
  cookieless: ColumnType<boolean, boolean | undefined, boolean>;
  entry_page: string | null;
  exit_page: string | null;
  page_count: ColumnType<number, number | undefined, number>;
  event_count: ColumnType<number, number | undefined, number>;
  engaged_ms: ColumnType<number, number | undefined, number>;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  device_type: string | null;
  browser: string | null;
  os: string | null;
  language: string | null;
  timezone: string | null;
  conversions: ColumnType<number, number | undefined, number>;
}

export interface UserEventsTable {
  event_id: string;
  session_id: string;
  site_id: string;
  visitor_id: string;
  event_type: string;
  event_data: Json<Record<string, unknown>>;
  timestamp: Timestamp;
  page_url: string | null;
  received_at: Generated<Date>;
}

export interface DailySaltsTable {
  day: ColumnType<Date, string, string>;
  salt: string;
  created_at: Generated<Date>;
}

export interface ConsentRecordsTable {
  id: Generated<number>;
  site_id: string;
  visitor_id: string;
  customer_id: string | null;
  categories: Json<Record<string, boolean>>;
  policy_version: string;
  source: string;
  ip_prefix: string | null;
  created_at: Generated<Date>;
}

export interface AuditLogTable {
  id: Generated<number>;
  site_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
  prev_hash: string;
  hash: string;
}

export interface ScheduledJobsTable {
  name: string;
  interval_seconds: number;
  next_run_at: Timestamp;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  last_started_at: NullableTimestamp;
  last_finished_at: NullableTimestamp;
  last_status: string | null;
  last_error: string | null;
  last_result: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface RetentionPoliciesTable {
  site_id: string;
  events_months: number;
  sessions_months: number;
  consent_months: number;
  chat_months: number;
  audit_months: number;
  updated_at: Generated<Date>;
}

export interface RetentionPurgesTable {
  id: Generated<number>;
  run_id: string;
  site_id: string | null;
  data_kind: string;
  rows_purged: ColumnType<string | number, number, number>;
  cutoff: Timestamp;
  partitions: ColumnType<string[], string[] | undefined, string[]>;
  finished_at: Timestamp;
}

export interface VisitorTokenRevocationsTable {
  /** A keyed digest (AppContext.pseudonymize) of a token id, or of a site and visitor id. */
  digest: string;
  /** Subject rows: tokens issued before this are revoked. Token rows: null. */
  issued_before: ColumnType<Date | null, Date | null | undefined, Date | null>;
  expires_at: Timestamp;
}

export type IntentTask = 'visit_reason' | 'conversion';
export type IntentModelStatus = 'candidate' | 'champion' | 'challenger' | 'retired';
export type TrainingRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface IntentPredictionsTable {
  prediction_id: string;
  session_id: string;
  site_id: string;
  visitor_id: string;
  predicted_intent: string | null;
  confidence_score: number | null;
  conversion_probability: number | null;
  probabilities: Json<Record<string, number>>;
  model_version: string | null;
  events_seen: ColumnType<number, number | undefined, number>;
  timestamp: Timestamp;
}

export interface IntentModelsTable {
  id: string;
  site_id: string;
  task: IntentTask;
  version: number;
  kind: string;
  status: ColumnType<IntentModelStatus, IntentModelStatus | undefined, IntentModelStatus>;
  traffic_share: ColumnType<number, number | undefined, number>;
  shadow: ColumnType<boolean, boolean | undefined, boolean>;
  data_hash: string;
  feature_names: Json<string[]>;
  classes: Json<string[]>;
  metrics: Json<Record<string, unknown>>;
  card: Json<Record<string, unknown>>;
  artifact: Json<Record<string, unknown>>;
  training_rows: number;
  created_at: Timestamp;
  promoted_at: NullableTimestamp;
}

export interface TrainingRunsTable {
  id: string;
  site_id: string;
  task: IntentTask;
  status: ColumnType<TrainingRunStatus, TrainingRunStatus | undefined, TrainingRunStatus>;
  stage: ColumnType<string, string | undefined, string>;
  progress: ColumnType<number, number | undefined, number>;
  requested_by: string;
  params: Json<Record<string, unknown>>;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  error: string | null;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface Database {
  sites: SitesTable;
  users: UsersTable;
  site_members: SiteMembersTable;
  site_invites: SiteInvitesTable;
  refresh_tokens: RefreshTokensTable;
  totp_recovery_codes: TotpRecoveryCodesTable;
  api_keys: ApiKeysTable;
  instance_state: InstanceStateTable;
  schema_migrations: SchemaMigrationsTable;
  user_sessions: UserSessionsTable;
  user_events: UserEventsTable;
  daily_salts: DailySaltsTable;
  consent_records: ConsentRecordsTable;
  audit_log: AuditLogTable;
  visitor_token_revocations: VisitorTokenRevocationsTable;
  scheduled_jobs: ScheduledJobsTable;
  retention_policies: RetentionPoliciesTable;
  retention_purges: RetentionPurgesTable;
  intent_predictions: IntentPredictionsTable;
  intent_models: IntentModelsTable;
  training_runs: TrainingRunsTable;
}
