-- A newcomer's seat is held (invited to them, with a short deadline) until
-- they prove their address or number by signing in with the link or code
-- sent to it; then it becomes theirs. Unproven, the invitation runs out
-- like any other and the seat goes on to its standby queue.
CREATE TABLE registration_holds (
    seat_id INTEGER PRIMARY KEY REFERENCES seats (id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    held_until INTEGER NOT NULL
);
CREATE INDEX registration_holds_volunteer ON registration_holds (volunteer_id);
