-- The privacy text newcomers consent to, as administrators publish it. A
-- row is never changed: a new wording is a new version, so the version in a
-- consent record (volunteers.consent_version) keeps pointing at the words
-- that person read. The newest row is the text in force; with no rows, the
-- text built into the program is, under the configured version.
CREATE TABLE privacy_texts (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    text_da TEXT NOT NULL,
    text_en TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    published_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
