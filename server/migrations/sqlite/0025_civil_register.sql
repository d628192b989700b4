-- A person's CPR number, kept apart from the rest of their record so that
-- only the code that must read it does, and what the CPR register said of
-- them at the last lookup. Eligibility comes from these facts when they
-- are here (see app::domain::cpr), from the person's declaration when not.
CREATE TABLE volunteer_cpr (
    volunteer_id INTEGER PRIMARY KEY REFERENCES volunteers (id) ON DELETE CASCADE,
    cpr TEXT NOT NULL UNIQUE CHECK (length(cpr) = 10),
    stored_at INTEGER NOT NULL,
    -- The last lookup: when, and either its facts or why it gave none.
    looked_up_at INTEGER,
    lookup_failure TEXT CHECK (lookup_failure IN ('not_found', 'refused', 'unavailable')),
    name TEXT,
    status TEXT,
    birth_date TEXT,
    citizenship TEXT CHECK (citizenship IN ('danish', 'eu', 'other')),
    country_code TEXT,
    municipality_code TEXT,
    under_guardianship INTEGER CHECK (under_guardianship IN (0, 1)),
    address_protected INTEGER CHECK (address_protected IN (0, 1)),
    digital_post INTEGER CHECK (digital_post IN (0, 1)),
    CHECK ((status IS NULL) = (citizenship IS NULL))
);

-- Seats whose holder CPR says may no longer serve there, and why (a locale
-- key): shown on the board until the office replaces them or CPR says
-- otherwise. A flag whose seat changed hands no longer shows.
CREATE TABLE eligibility_flags (
    seat_id INTEGER NOT NULL REFERENCES seats (id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    flagged_at INTEGER NOT NULL,
    PRIMARY KEY (seat_id, volunteer_id)
);
CREATE INDEX eligibility_flags_volunteer ON eligibility_flags (volunteer_id);
