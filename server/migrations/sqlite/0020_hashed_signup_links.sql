-- Sign-up link tokens are kept as SHA-256 hashes, as session ids and sign-in
-- links are: a copy of the database or a backup no longer holds live links.
-- A link may also end on a date of its own (`expires_at`, unix seconds).
-- SQLite has no SHA-256, so rows made before this migration keep their token
-- in `plain_token` until the server hashes it right after migrating
-- (`hash_plain_link_tokens`); new rows never have one.
CREATE TABLE signup_links_hashed (
    id INTEGER PRIMARY KEY,
    token_hash TEXT UNIQUE,
    plain_token TEXT,
    election_id INTEGER NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    filters TEXT NOT NULL DEFAULT '{}',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    expires_at INTEGER,
    CHECK (token_hash IS NOT NULL OR plain_token IS NOT NULL)
);
INSERT INTO signup_links_hashed
    (id, plain_token, election_id, team_id, filters, created_by, created_at, revoked_at)
SELECT id, token, election_id, team_id, filters, created_by, created_at, revoked_at
FROM signup_links;
DROP TABLE signup_links;
ALTER TABLE signup_links_hashed RENAME TO signup_links;
CREATE INDEX signup_links_team ON signup_links (team_id);
