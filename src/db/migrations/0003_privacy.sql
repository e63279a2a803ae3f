-- Privacy: append-only consent decisions, and the hash-chained audit log.

-- Every consent decision, as given (spec 000 categories). The current state of a visitor is
-- their latest row; nothing is updated in place.
CREATE TABLE consent_records (
    id BIGSERIAL PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    visitor_id VARCHAR(255) NOT NULL,
    customer_id VARCHAR(255),
    categories JSONB NOT NULL,
    policy_version VARCHAR(64) NOT NULL,
    source VARCHAR(32) NOT NULL,
    ip_prefix VARCHAR(64),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_consent_records_visitor ON consent_records (site_id, visitor_id, id DESC);
CREATE INDEX idx_consent_records_customer ON consent_records (site_id, customer_id) WHERE customer_id IS NOT NULL;

-- Append-only and hash-chained: each entry stores the SHA-256 of the previous entry's hash and
-- its own content, so editing or deleting any entry breaks every hash after it.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    site_id UUID,
    actor VARCHAR(100) NOT NULL,
    action VARCHAR(64) NOT NULL,
    subject VARCHAR(255),
    details JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    prev_hash CHAR(64) NOT NULL,
    hash CHAR(64) NOT NULL
);
CREATE INDEX idx_audit_log_site ON audit_log (site_id, id);
CREATE INDEX idx_audit_log_action ON audit_log (action, id);
