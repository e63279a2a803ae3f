-- Tracking: spec 000's user_sessions and user_events, plus the daily salts of cookieless visitors.

-- Spec 000 user_sessions, with the aggregates the dashboard reads without rescanning events.
-- user_id is the site's own customer id, from augur.identify().
CREATE TABLE user_sessions (
    session_id VARCHAR(255) PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    visitor_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255),
    start_time TIMESTAMP WITH TIME ZONE NOT NULL,
    end_time TIMESTAMP WITH TIME ZONE NOT NULL,
    device_info JSONB NOT NULL DEFAULT '{}',
    referrer VARCHAR(500),
    consent_status JSONB NOT NULL DEFAULT '{}',
    cookieless BOOLEAN NOT NULL DEFAULT FALSE,
    entry_page VARCHAR(500),
    exit_page VARCHAR(500),
    page_count INTEGER NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL DEFAULT 0,
    engaged_ms BIGINT NOT NULL DEFAULT 0,
    utm_source VARCHAR(200),
    utm_medium VARCHAR(200),
    utm_campaign VARCHAR(200),
    utm_term VARCHAR(200),
    utm_content VARCHAR(200),
    device_type VARCHAR(20),
    browser VARCHAR(50),
    os VARCHAR(50),
    language VARCHAR(35),
    timezone VARCHAR(64),
    conversions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_user_sessions_site_start ON user_sessions (site_id, start_time);
CREATE INDEX idx_user_sessions_site_end ON user_sessions (site_id, end_time);
CREATE INDEX idx_user_sessions_visitor ON user_sessions (site_id, visitor_id);
CREATE INDEX idx_user_sessions_user ON user_sessions (site_id, user_id) WHERE user_id IS NOT NULL;

-- Spec 000 user_events, partitioned by month (partitions are created on demand by the writer).
-- The key includes the partition column, as PostgreSQL requires; event times are fixed at
-- ingest, so a retried event lands on the same (event_id, timestamp) and is not duplicated.
CREATE TABLE user_events (
    event_id UUID NOT NULL,
    session_id VARCHAR(255) NOT NULL,
    site_id UUID NOT NULL,
    visitor_id VARCHAR(255) NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    event_data JSONB NOT NULL DEFAULT '{}',
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL,
    page_url VARCHAR(500),
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (event_id, timestamp)
) PARTITION BY RANGE (timestamp);
CREATE INDEX idx_user_events_site_time ON user_events (site_id, timestamp);
CREATE INDEX idx_user_events_session ON user_events (session_id, timestamp);

-- One random salt per UTC day for cookieless visitor hashes; older salts are deleted, so a
-- hash cannot be recomputed (or linked to another day's) once its day is over.
CREATE TABLE daily_salts (
    day DATE PRIMARY KEY,
    salt VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
