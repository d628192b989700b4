-- The office's own notes about a person (never shown to the person, nor to
-- team leaders or station managers). Rows are never updated.
CREATE TABLE volunteer_notes (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    author_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- Who wrote it, as people read it, even after the user is gone.
    author TEXT NOT NULL,
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    created_at INTEGER NOT NULL
);
CREATE INDEX volunteer_notes_volunteer ON volunteer_notes (volunteer_id, created_at);
