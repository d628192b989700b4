-- Every change to a seat also bumps the version of its station and of the
-- people on it (before and after). Open check-in pages watch their
-- station's version and open "my shifts" pages their person's. The board's
-- announcement (valgvagt_seats) wakes every server's poller for these too.
CREATE TABLE station_versions (
    station_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE volunteer_versions (
    volunteer_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE FUNCTION seats_live_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO station_versions (station_id, version)
        SELECT DISTINCT id, 1 FROM (VALUES
            (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.station_id END),
            (CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.station_id END)) AS s (id)
        WHERE id IS NOT NULL
        ON CONFLICT (station_id) DO UPDATE SET version = station_versions.version + 1;
    INSERT INTO volunteer_versions (volunteer_id, version)
        SELECT DISTINCT id, 1 FROM (VALUES
            (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.volunteer_id END),
            (CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.volunteer_id END)) AS v (id)
        WHERE id IS NOT NULL
        ON CONFLICT (volunteer_id) DO UPDATE SET version = volunteer_versions.version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER seats_live AFTER INSERT OR UPDATE OR DELETE ON seats
    FOR EACH ROW EXECUTE FUNCTION seats_live_bump();
