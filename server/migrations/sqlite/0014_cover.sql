-- Call for cover: an open seat offered to a whole group at once; the first
-- to take it gets it and the others are told. One open call per seat.
CREATE TABLE cover_calls (
    id INTEGER PRIMARY KEY,
    seat_id INTEGER NOT NULL REFERENCES seats (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Set when the seat is taken (by anyone, through the call or not) or
    -- the call is stopped.
    closed_at INTEGER,
    taken_by INTEGER REFERENCES volunteers (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX cover_calls_one_open ON cover_calls (seat_id) WHERE closed_at IS NULL;

CREATE TABLE cover_offers (
    call_id INTEGER NOT NULL REFERENCES cover_calls (id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    declined_at INTEGER,
    PRIMARY KEY (call_id, volunteer_id)
);
CREATE INDEX cover_offers_volunteer ON cover_offers (volunteer_id);
