-- Every server's open boards hear at once when an election's seats change,
-- whichever server changed them: the version row's change is announced on
-- the channel `valgvagt_seats` (delivered at commit; the servers' pollers
-- then read the versions as before).
CREATE FUNCTION board_versions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('valgvagt_seats', NEW.election_id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER board_versions_notify AFTER INSERT OR UPDATE ON board_versions
    FOR EACH ROW EXECUTE FUNCTION board_versions_notify();
