-- The office can set a person aside without deleting them: a deactivated
-- person keeps their record, teams and history, but cannot sign in, is not
-- offered seats and takes none until the office activates them again.
ALTER TABLE volunteers ADD COLUMN deactivated_at INTEGER;

-- The register lists people by name (and by newest) a page at a time; these
-- let a page be read in order instead of sorting every match.
CREATE INDEX volunteers_by_name ON volunteers (name COLLATE NOCASE, id);
CREATE INDEX volunteers_newest ON volunteers (created_at, id);
-- The register's contact-view entry is written once per viewer and window.
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, action, at);
