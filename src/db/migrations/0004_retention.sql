-- Retention: per-site policies, the scheduled purge, and the schedule itself (kept in the
-- database so it survives restarts and runs on one node at a time).

-- Every periodic job: when it is next due, and who holds it while it runs (a lease that
-- expires, so a crashed node's job is picked up again).
CREATE TABLE scheduled_jobs (
    name VARCHAR(100) PRIMARY KEY,
    interval_seconds INTEGER NOT NULL CHECK (interval_seconds > 0),
    next_run_at TIMESTAMP WITH TIME ZONE NOT NULL,
    locked_by VARCHAR(100),
    locked_until TIMESTAMP WITH TIME ZONE,
    last_started_at TIMESTAMP WITH TIME ZONE,
    last_finished_at TIMESTAMP WITH TIME ZONE,
    last_status VARCHAR(16),
    last_error TEXT,
    last_result JSONB
);

-- How long each kind of data is kept, in months. A site without a row keeps the defaults.
CREATE TABLE retention_policies (
    site_id UUID PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    events_months INTEGER NOT NULL DEFAULT 13 CHECK (events_months BETWEEN 1 AND 120),
    sessions_months INTEGER NOT NULL DEFAULT 25 CHECK (sessions_months BETWEEN 1 AND 120),
    consent_months INTEGER NOT NULL DEFAULT 25 CHECK (consent_months BETWEEN 1 AND 120),
    chat_months INTEGER NOT NULL DEFAULT 12 CHECK (chat_months BETWEEN 1 AND 120),
    audit_months INTEGER NOT NULL DEFAULT 72 CHECK (audit_months BETWEEN 12 AND 240),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

-- What each purge removed, per site and kind (site_id NULL: instance-wide audit entries).
CREATE TABLE retention_purges (
    id BIGSERIAL PRIMARY KEY,
    run_id UUID NOT NULL,
    site_id UUID REFERENCES sites(id) ON DELETE CASCADE,
    data_kind VARCHAR(32) NOT NULL,
    rows_purged BIGINT NOT NULL,
    cutoff TIMESTAMP WITH TIME ZONE NOT NULL,
    -- Month partitions of user_events dropped whole, when that is how the rows went.
    partitions TEXT[] NOT NULL DEFAULT '{}',
    finished_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_retention_purges_site ON retention_purges (site_id, finished_at DESC);

-- Expiry scans: consent by age, and the audit log by age (its prefix is what expires).
CREATE INDEX idx_consent_records_created ON consent_records (site_id, created_at);
CREATE INDEX idx_audit_log_created ON audit_log (created_at);
