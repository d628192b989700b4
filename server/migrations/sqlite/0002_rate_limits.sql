-- Attempts counted for rate limits (sign-in links, passkey attempts).
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events (bucket, at);
