// Where personal data of tracked subjects (visitors, and the site's customers behind them) lives,
// and which of it the operator-initiated export and erasure cover. test/personal-data.test.ts
// lists every table of the database and fails on one that is neither here nor in NOT_SUBJECT_DATA,
// so a new table must be classified (and covered) before it can ship.

export interface SubjectTable {
  table: string;
  /** The column that names the subject (a visitor id); rows are found by it and the site id. */
  subjectColumn: string;
  siteColumn: string;
  /** Columns holding personal data of the subject (ids, free text, URLs, device details). */
  personalColumns: readonly string[];
  exported: boolean;
  erased: boolean;
}

export const SUBJECT_TABLES: readonly SubjectTable[] = [
  {
    table: 'user_events',
    subjectColumn: 'visitor_id',
    siteColumn: 'site_id',
    personalColumns: ['visitor_id', 'session_id', 'event_data', 'page_url', 'timestamp'],
    exported: true,
    erased: true,
  },
  {
    table: 'user_sessions',
    subjectColumn: 'visitor_id',
    siteColumn: 'site_id',
    personalColumns: [
      'session_id', 'visitor_id', 'user_id', 'device_info', 'referrer', 'consent_status', 'entry_page', 'exit_page',
      'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'device_type', 'browser', 'os', 'language', 'timezone',
      'start_time', 'end_time',
    ],
    exported: true,
    erased: true,
  },
  {
    table: 'consent_records',
    subjectColumn: 'visitor_id',
    siteColumn: 'site_id',
    personalColumns: ['visitor_id', 'customer_id', 'categories', 'ip_prefix', 'created_at'],
    exported: true,
    erased: true,
  },
  {
    table: 'intent_predictions',
    subjectColumn: 'visitor_id',
    siteColumn: 'site_id',
    personalColumns: ['session_id', 'visitor_id', 'predicted_intent', 'confidence_score', 'conversion_probability', 'probabilities', 'timestamp'],
    exported: true,
    erased: true,
  },
];

/** Tables that hold no personal data of tracked subjects, each with the reason. */
export const NOT_SUBJECT_DATA: Readonly<Record<string, string>> = {
  sites: 'site configuration of the operator; no visitor data',
  users: 'operator and end-user accounts, not tracked subjects; erased by the (future) account-deletion path, not this one',
  site_members: 'account-to-site roles; account data, not subject data',
  site_invites: 'invitation emails of operators; account data, expires',
  refresh_tokens: 'account sessions (hashes only)',
  totp_recovery_codes: 'account second factor (hashes only)',
  api_keys: 'site credentials (hashes only)',
  instance_state: 'instance-wide settings and markers',
  schema_migrations: 'applied migrations',
  scheduled_jobs: 'the job schedule; results hold counts and ids only',
  retention_policies: 'site configuration: months to keep each kind of data',
  retention_purges: 'counts of purged rows per site and kind; no subject data',
  daily_salts: 'random salts of cookieless hashes; deleted daily, hold no subject data themselves',
  visitor_token_revocations: 'keyed digests of revoked visitor tokens and erased subjects (no id in clear); they must outlive the erasure to keep refusing replays, and expire with the tokens',
  intent_models: 'the model registry: parameters, aggregate metrics and cards; trained on pseudonymized snapshots, no subject id (tested)',
  training_runs: 'training progress and results: actor labels, counts and metrics only',
  audit_log: 'pseudonymous ids only (visitor:<id>); kept after erasure so the hash chain stays verifiable (exported, not erased)',
};
