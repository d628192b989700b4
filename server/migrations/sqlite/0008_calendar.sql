-- A volunteer's private calendar feed: phone calendars subscribe to a URL
-- with a secret in it. Only a hash of the secret is kept; a new secret
-- replaces (revokes) the old one.
CREATE TABLE calendar_feeds (
    volunteer_id INTEGER PRIMARY KEY REFERENCES volunteers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

