-- Sign-up links that coordinators and team leaders share: a team link (no
-- filters: any open seat of the team) or a shift link narrowed to stations,
-- task types and days. The token is a share secret, shown to those who made
-- it; revoking a link stops it at once.
CREATE TABLE signup_links (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    election_id INTEGER NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- JSON: {"stations": [..], "task_types": [..], "days": ["2027-05-04", ..]}
    filters TEXT NOT NULL DEFAULT '{}',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX signup_links_team ON signup_links (team_id);
