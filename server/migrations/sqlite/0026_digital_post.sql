-- Digital Post (SF1601) answers each letter with a transmission id: kept on
-- the message it delivered, so a receipt or a question can be traced.
ALTER TABLE outbox ADD COLUMN transmission_id TEXT;
