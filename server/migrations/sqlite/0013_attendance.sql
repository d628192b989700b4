-- Election day: whether the person on an accepted seat has turned up,
-- marked by the station manager (a tap, or the QR code on the volunteer's
-- phone), and when.
ALTER TABLE seats ADD COLUMN attendance TEXT CHECK (attendance IN ('arrived', 'late', 'no_show'));
ALTER TABLE seats ADD COLUMN attendance_at INTEGER;
