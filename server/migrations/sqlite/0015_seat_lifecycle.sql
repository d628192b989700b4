-- A deleted seat's history no longer points at it: seat ids can be reused
-- (no AUTOINCREMENT), and a new seat must not show someone else's past.
UPDATE seat_history SET seat_id = NULL
WHERE seat_id IS NOT NULL AND seat_id NOT IN (SELECT id FROM seats);

CREATE TRIGGER seats_detach_history AFTER DELETE ON seats BEGIN
    UPDATE seat_history SET seat_id = NULL WHERE seat_id = OLD.id;
END;

-- However a seat gets filled (a call for cover, an invitation, a sign-up, a
-- standby offer), an open call for cover on it ends: should the seat open
-- again, the old call must not come back to life.
CREATE TRIGGER seats_close_cover_calls AFTER UPDATE OF status ON seats
WHEN NEW.status <> 'open' BEGIN
    UPDATE cover_calls SET closed_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE seat_id = NEW.id AND closed_at IS NULL;
END;
