-- The standby queue: people waiting for a seat of a full cell (a team's
-- seats of one task type at one station on one day). When such a seat frees,
-- the first in line gets it as an invitation with a short deadline, in the
-- same transaction; letting it pass or declining offers it to the next.
CREATE TABLE standby (
    id INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    task_type_id INTEGER NOT NULL REFERENCES task_types (id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    joined_at INTEGER NOT NULL,
    UNIQUE (election_id, station_id, day, team_id, task_type_id, volunteer_id)
);
CREATE INDEX standby_cell ON standby (election_id, station_id, day, team_id, task_type_id, id);
CREATE INDEX standby_volunteer ON standby (volunteer_id);

-- A volunteer who deleted their account but whose past paid shifts must stay
-- for payroll keeps a row without personal data.
ALTER TABLE volunteers ADD COLUMN anonymised_at INTEGER;
