-- Every change to a seat bumps its election's board version, by trigger so
-- that no write path can forget it. Open gap boards watch these versions
-- and refresh when theirs moves.
CREATE TABLE board_versions (
    election_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER seats_board_insert AFTER INSERT ON seats BEGIN
    INSERT OR IGNORE INTO board_versions (election_id) VALUES (NEW.election_id);
    UPDATE board_versions SET version = version + 1 WHERE election_id = NEW.election_id;
END;

CREATE TRIGGER seats_board_update AFTER UPDATE ON seats BEGIN
    INSERT OR IGNORE INTO board_versions (election_id) VALUES (NEW.election_id);
    UPDATE board_versions SET version = version + 1 WHERE election_id = NEW.election_id;
END;

CREATE TRIGGER seats_board_delete AFTER DELETE ON seats BEGIN
    INSERT OR IGNORE INTO board_versions (election_id) VALUES (OLD.election_id);
    UPDATE board_versions SET version = version + 1 WHERE election_id = OLD.election_id;
END;
