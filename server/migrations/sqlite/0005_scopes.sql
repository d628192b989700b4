-- Where a role applies. A coordinator with no rows in coordinator_areas plans
-- the whole municipality; station managers and team leaders see only what is
-- listed for them. Deleting an area a coordinator is limited to is refused
-- (RESTRICT): dropping the row would silently widen their reach.
CREATE TABLE coordinator_areas (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area_id INTEGER NOT NULL REFERENCES areas (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, area_id)
);
CREATE INDEX coordinator_areas_area ON coordinator_areas (area_id);

CREATE TABLE managed_stations (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, station_id)
);
CREATE INDEX managed_stations_station ON managed_stations (station_id);

CREATE TABLE led_teams (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, team_id)
);
CREATE INDEX led_teams_team ON led_teams (team_id);

-- Team leaders are now users with a scope (above), not a flag on a member.
-- A member may agree to let the team's leaders see their phone and email.
CREATE TABLE team_members_next (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    share_contact INTEGER NOT NULL DEFAULT 0 CHECK (share_contact IN (0, 1)),
    PRIMARY KEY (team_id, volunteer_id)
);
INSERT INTO team_members_next (team_id, volunteer_id) SELECT team_id, volunteer_id FROM team_members;
DROP TABLE team_members;
ALTER TABLE team_members_next RENAME TO team_members;
CREATE INDEX team_members_volunteer ON team_members (volunteer_id);
