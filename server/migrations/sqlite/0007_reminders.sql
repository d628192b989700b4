-- When the scheduler reminds people, per election: an invitation not yet
-- answered every N days (0 = never), an accepted shift N days before
-- (0 = never), and again on the morning of the shift.
ALTER TABLE elections ADD COLUMN invite_reminder_days INTEGER NOT NULL DEFAULT 3 CHECK (invite_reminder_days >= 0);
ALTER TABLE elections ADD COLUMN shift_reminder_days INTEGER NOT NULL DEFAULT 2 CHECK (shift_reminder_days >= 0);
ALTER TABLE elections ADD COLUMN morning_reminder INTEGER NOT NULL DEFAULT 1 CHECK (morning_reminder IN (0, 1));
