-- A volunteer's new email address waits here until a link mailed to it is
-- used: the address changes only once it is shown to reach them. Only a
-- hash of the link's secret is kept.
CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX email_changes_user ON email_changes (user_id);
