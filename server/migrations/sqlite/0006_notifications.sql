-- Messages to people. Every message is first written to the outbox, in the
-- same transaction as the change that causes it; a worker in the server
-- delivers it (push, else email, else SMS, as the person prefers), retries
-- with backoff, and records each try.

-- Secrets the server makes for itself on first start (the VAPID key).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Push subscriptions: one per device on which a person turned push on.
CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    device_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_success_at INTEGER
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- Which channels a volunteer wants, in order of preference.
ALTER TABLE volunteers ADD COLUMN channels TEXT NOT NULL DEFAULT 'push,email,sms';

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    -- Made by whoever enqueues (e.g. 'invitation:seat:12:1700000000'):
    -- enqueuing the same message twice stores it once.
    idempotency_key TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    volunteer_id INTEGER REFERENCES volunteers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    election_id INTEGER REFERENCES elections (id) ON DELETE SET NULL,
    task_type_id INTEGER REFERENCES task_types (id) ON DELETE SET NULL,
    seat_id INTEGER,
    -- Placeholder values (JSON object), fixed when the message was caused.
    params TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A worker that claimed the message holds it until then; after a crash
    -- the message becomes due again.
    lease_until INTEGER,
    channel TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    CHECK (user_id IS NOT NULL OR volunteer_id IS NOT NULL)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_volunteer ON outbox (volunteer_id, created_at);

-- Every delivery try, per channel, for the message log.
CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    at INTEGER NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (outbox_id);

-- A coordinator's wording of a message for one election, optionally for one
-- task type only; without a row the default text of the locale files is used.
CREATE TABLE message_templates (
    id INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    task_type_id INTEGER REFERENCES task_types (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('push', 'email', 'sms')),
    language TEXT NOT NULL CHECK (language IN ('da', 'en')),
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX message_templates_one
    ON message_templates (election_id, coalesce(task_type_id, 0), kind, channel, language);
