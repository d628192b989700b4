-- Check-in marks made on a station's device (often without a network) and
-- sent later. Each is taken once per device key and person signed in, and
-- what became of it is kept: a check-in for someone the office had taken
-- off the seat is kept here and flagged on the board until cleared.
CREATE TABLE checkin_marks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    seat_id INTEGER NOT NULL,
    election_id INTEGER NOT NULL,
    station_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    volunteer_id INTEGER NOT NULL,
    attendance TEXT CHECK (attendance IN ('arrived', 'late', 'no_show')),
    at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'merged', 'stale', 'flagged', 'refused')),
    cleared_at INTEGER,
    UNIQUE (user_id, key)
);
CREATE INDEX checkin_marks_flags ON checkin_marks (election_id)
    WHERE outcome = 'flagged' AND cleared_at IS NULL;
CREATE INDEX checkin_marks_seat ON checkin_marks (seat_id);
CREATE INDEX checkin_marks_volunteer ON checkin_marks (volunteer_id);
