-- Revoked visitor tokens (src/privacy/visitor-token.ts). Keyed digests only, never a visitor id in clear: one row
-- per revoked token (digest of its id), and one per erased subject (digest of site and visitor id) whose tokens
-- issued before `issued_before` no longer count. A row is useless once every token it covers has expired.
CREATE TABLE visitor_token_revocations (
    digest VARCHAR(64) PRIMARY KEY,
    issued_before TIMESTAMP WITH TIME ZONE,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_visitor_token_revocations_expiry ON visitor_token_revocations (expires_at);
