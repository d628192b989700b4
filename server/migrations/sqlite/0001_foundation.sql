-- Valgvagt's first schema. Times are unix seconds (UTC); calendar dates are
-- ISO text (YYYY-MM-DD) and clock times 'HH:MM' in Danish local time, as the
-- municipality thinks of them. Names are unique case-insensitively.

CREATE TABLE election_types (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(title)) > 0),
    min_age_18 INTEGER NOT NULL CHECK (min_age_18 IN (0, 1)),
    resident INTEGER NOT NULL CHECK (resident IN (0, 1)),
    citizenship TEXT NOT NULL CHECK (citizenship IN ('any', 'eu', 'danish')),
    not_under_guardianship INTEGER NOT NULL CHECK (not_under_guardianship IN (0, 1))
);

CREATE TABLE elections (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(title)) > 0),
    election_type_id INTEGER NOT NULL REFERENCES election_types (id) ON DELETE RESTRICT,
    election_day TEXT NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    lock_days INTEGER NOT NULL CHECK (lock_days >= 0),
    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    CHECK (first_day <= election_day AND election_day <= last_day),
    UNIQUE (title, election_day)
);

CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE stations (
    id INTEGER PRIMARY KEY,
    area_id INTEGER NOT NULL REFERENCES areas (id) ON DELETE RESTRICT,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    address TEXT NOT NULL,
    postal_code TEXT NOT NULL CHECK (length(postal_code) = 4),
    city TEXT NOT NULL,
    district_number INTEGER NOT NULL CHECK (district_number > 0),
    latitude REAL CHECK (latitude BETWEEN -90 AND 90),
    longitude REAL CHECK (longitude BETWEEN -180 AND 180),
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stations_area ON stations (area_id);

CREATE TABLE election_stations (
    election_id INTEGER NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id) ON DELETE RESTRICT,
    PRIMARY KEY (election_id, station_id)
);
CREATE INDEX election_stations_station ON election_stations (station_id);

CREATE TABLE task_types (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(title)) > 0),
    short_name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(short_name)) > 0),
    description TEXT NOT NULL DEFAULT '',
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    payment_dkk INTEGER NOT NULL CHECK (payment_dkk >= 0),
    trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),
    eligibility_checks_off INTEGER NOT NULL CHECK (eligibility_checks_off IN (0, 1)),
    reminders INTEGER NOT NULL CHECK (reminders IN (0, 1)),
    CHECK (start_time <> end_time)
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    short_name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(short_name)) > 0),
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE diets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0)
);

CREATE TABLE volunteers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    birth_date TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
    phone TEXT NOT NULL CHECK (phone LIKE '+%'),
    address TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    municipality_code TEXT NOT NULL CHECK (length(municipality_code) = 3),
    citizenship TEXT NOT NULL CHECK (citizenship IN ('danish', 'eu', 'other')),
    under_guardianship INTEGER NOT NULL DEFAULT 0 CHECK (under_guardianship IN (0, 1)),
    verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    language TEXT NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
    consent_at INTEGER,
    consent_version TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((consent_at IS NULL) = (consent_version IS NULL))
);

CREATE TABLE volunteer_diets (
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    diet_id INTEGER NOT NULL REFERENCES diets (id) ON DELETE CASCADE,
    PRIMARY KEY (volunteer_id, diet_id)
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    leader INTEGER NOT NULL DEFAULT 0 CHECK (leader IN (0, 1)),
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX team_members_volunteer ON team_members (volunteer_id);

-- One row per seat. A seat is open, or holds a person who is invited (with a
-- response deadline) or has accepted.
CREATE TABLE seats (
    id INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL,
    station_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE RESTRICT,
    task_type_id INTEGER NOT NULL REFERENCES task_types (id) ON DELETE RESTRICT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'invited', 'accepted')),
    volunteer_id INTEGER REFERENCES volunteers (id) ON DELETE RESTRICT,
    invited_at INTEGER,
    respond_by INTEGER,
    accepted_at INTEGER,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (election_id, station_id) REFERENCES election_stations (election_id, station_id) ON DELETE CASCADE,
    CHECK ((status = 'open') = (volunteer_id IS NULL)),
    CHECK (status <> 'invited' OR invited_at IS NOT NULL),
    CHECK (status <> 'accepted' OR accepted_at IS NOT NULL)
);
CREATE INDEX seats_cell ON seats (election_id, station_id, day, team_id, task_type_id, status);
CREATE INDEX seats_volunteer ON seats (volunteer_id) WHERE volunteer_id IS NOT NULL;
CREATE INDEX seats_task_type ON seats (task_type_id);
CREATE INDEX seats_team ON seats (team_id);

-- Declines, cancellations, removals and withdrawn invitations: what happened
-- to a person on a seat, kept after the seat itself changes or goes.
CREATE TABLE seat_history (
    id INTEGER PRIMARY KEY,
    seat_id INTEGER,
    election_id INTEGER NOT NULL,
    station_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    team_id INTEGER NOT NULL,
    task_type_id INTEGER NOT NULL,
    volunteer_id INTEGER NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('declined', 'cancelled', 'removed', 'withdrawn', 'expired')),
    reason TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);
CREATE INDEX seat_history_volunteer ON seat_history (volunteer_id);
CREATE INDEX seat_history_seat ON seat_history (seat_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    volunteer_id INTEGER UNIQUE REFERENCES volunteers (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'coordinator', 'station_manager', 'team_leader', 'volunteer', 'read_only')),
    PRIMARY KEY (user_id, role)
);

-- One-time sign-in links. Only a hash of the token is stored.
CREATE TABLE sign_in_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

-- Server-side sessions. The cookie holds a secret; only its hash is stored.
CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
