-- Personal fields of accounts and invitations are stored encrypted (AES-256-GCM, "enc1.…"), and
-- email and username get a blind index (keyed HMAC of the normalised value) that carries the
-- case-insensitive uniqueness the lower() indexes gave before. Rows written before this migration
-- are encrypted by the post-migration step (src/db/field-encryption.ts) that runs right after it.

DROP INDEX idx_users_email;
DROP INDEX idx_users_username;

ALTER TABLE users
    ALTER COLUMN email TYPE TEXT,
    ALTER COLUMN username TYPE TEXT,
    ALTER COLUMN first_name TYPE TEXT,
    ALTER COLUMN last_name TYPE TEXT,
    ADD COLUMN email_index VARCHAR(64),
    ADD COLUMN username_index VARCHAR(64);

CREATE UNIQUE INDEX idx_users_email_index ON users (COALESCE(site_id, '00000000-0000-0000-0000-000000000000'::uuid), email_index);
CREATE UNIQUE INDEX idx_users_username_index ON users (COALESCE(site_id, '00000000-0000-0000-0000-000000000000'::uuid), username_index);

ALTER TABLE site_invites
    ALTER COLUMN email TYPE TEXT,
    ADD COLUMN email_index VARCHAR(64);

-- Every write from now on must be ciphertext with its index. NOT VALID: rows from before this
-- migration stay plaintext until the post-migration step encrypts them moments later.
ALTER TABLE users ADD CONSTRAINT users_personal_fields_encrypted CHECK (
    email LIKE 'enc1.%' AND username LIKE 'enc1.%'
    AND (first_name IS NULL OR first_name LIKE 'enc1.%') AND (last_name IS NULL OR last_name LIKE 'enc1.%')
    AND email_index IS NOT NULL AND username_index IS NOT NULL
) NOT VALID;
ALTER TABLE site_invites ADD CONSTRAINT site_invites_email_encrypted CHECK (
    email LIKE 'enc1.%' AND email_index IS NOT NULL
) NOT VALID;
