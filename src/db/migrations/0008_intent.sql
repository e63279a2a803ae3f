-- Intent: spec 000's intent_predictions (plus what live scoring needs), the model registry and training runs.

-- One row per scoring of a session; the live view and GET /predict/intent read the latest per session.
-- Subject data (session and visitor ids): covered by the data-subject export and erasure.
CREATE TABLE intent_predictions (
    prediction_id VARCHAR(255) PRIMARY KEY,
    session_id VARCHAR(255) NOT NULL,
    site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    visitor_id VARCHAR(255) NOT NULL,
    predicted_intent VARCHAR(100),
    confidence_score DOUBLE PRECISION,
    conversion_probability DOUBLE PRECISION,
    probabilities JSONB NOT NULL DEFAULT '{}',
    model_version VARCHAR(50),
    events_seen INTEGER NOT NULL DEFAULT 0,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_intent_predictions_session ON intent_predictions (session_id, timestamp DESC);
CREATE INDEX idx_intent_predictions_visitor ON intent_predictions (site_id, visitor_id);
CREATE INDEX idx_intent_predictions_site_time ON intent_predictions (site_id, timestamp);

-- The registry: every trained model of a site and task, its card, metrics and serialized artifact. Artifacts hold
-- parameters and aggregate statistics only, never a subject id (tested).
CREATE TABLE intent_models (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    task VARCHAR(16) NOT NULL CHECK (task IN ('visit_reason', 'conversion')),
    version INTEGER NOT NULL CHECK (version > 0),
    kind VARCHAR(32) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'champion', 'challenger', 'retired')),
    -- A challenger's share of live traffic (0..1); shadow: scored and stored, never shown.
    traffic_share DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (traffic_share >= 0 AND traffic_share <= 1),
    shadow BOOLEAN NOT NULL DEFAULT FALSE,
    -- SHA-256 of the pseudonymized snapshot it was trained on.
    data_hash CHAR(64) NOT NULL,
    feature_names JSONB NOT NULL,
    classes JSONB NOT NULL,
    metrics JSONB NOT NULL,
    card JSONB NOT NULL,
    artifact JSONB NOT NULL,
    training_rows INTEGER NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    promoted_at TIMESTAMP WITH TIME ZONE,
    UNIQUE (site_id, task, version)
);
CREATE UNIQUE INDEX idx_intent_models_champion ON intent_models (site_id, task) WHERE status = 'champion';

-- Training runs with their progress (the dashboard polls them); results hold ids, counts and metrics only.
CREATE TABLE training_runs (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    task VARCHAR(16) NOT NULL CHECK (task IN ('visit_reason', 'conversion')),
    status VARCHAR(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    stage VARCHAR(32) NOT NULL DEFAULT 'queued',
    progress DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    requested_by VARCHAR(100) NOT NULL,
    params JSONB NOT NULL DEFAULT '{}',
    result JSONB,
    error TEXT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    started_at TIMESTAMP WITH TIME ZONE,
    finished_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_training_runs_site ON training_runs (site_id, created_at DESC);
