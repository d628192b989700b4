-- Every change to a seat also bumps the version of its station and of the
-- people on it (before and after), by trigger so that no write path can
-- forget it. Open check-in pages watch their station's version and open
-- "my shifts" pages their person's, and refresh when it moves.
CREATE TABLE station_versions (
    station_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE volunteer_versions (
    volunteer_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER seats_live_insert AFTER INSERT ON seats BEGIN
    INSERT INTO station_versions (station_id, version) VALUES (NEW.station_id, 1)
        ON CONFLICT (station_id) DO UPDATE SET version = version + 1;
    INSERT INTO volunteer_versions (volunteer_id, version)
        SELECT NEW.volunteer_id, 1 WHERE NEW.volunteer_id IS NOT NULL
        ON CONFLICT (volunteer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER seats_live_update AFTER UPDATE ON seats BEGIN
    INSERT INTO station_versions (station_id, version)
        SELECT id, 1 FROM (SELECT NEW.station_id AS id UNION SELECT OLD.station_id) WHERE true
        ON CONFLICT (station_id) DO UPDATE SET version = version + 1;
    INSERT INTO volunteer_versions (volunteer_id, version)
        SELECT id, 1 FROM (SELECT NEW.volunteer_id AS id UNION SELECT OLD.volunteer_id)
        WHERE id IS NOT NULL
        ON CONFLICT (volunteer_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER seats_live_delete AFTER DELETE ON seats BEGIN
    INSERT INTO station_versions (station_id, version) VALUES (OLD.station_id, 1)
        ON CONFLICT (station_id) DO UPDATE SET version = version + 1;
    INSERT INTO volunteer_versions (volunteer_id, version)
        SELECT OLD.volunteer_id, 1 WHERE OLD.volunteer_id IS NOT NULL
        ON CONFLICT (volunteer_id) DO UPDATE SET version = version + 1;
END;
