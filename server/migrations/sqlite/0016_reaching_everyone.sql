-- Everyone on record can sign in and answer: one-time codes by SMS, and
-- personal answer links in the messages about a seat. Only hashes of the
-- codes and tokens are stored.

-- A code is for one phone number and the account it signs in; a newer code
-- for the number ends the older ones, and five wrong tries end a code.
CREATE TABLE sign_in_codes (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX sign_in_codes_phone ON sign_in_codes (phone, id);

-- A link in one message that answers one offer of a seat to one person,
-- without signing in. It is bound to that offer: an invitation by the time
-- the person was invited (`bound_to` = seats.invited_at), a call for cover
-- by the call (`bound_to` = cover_calls.id), so it dies when the seat
-- changes hands, when it is used, or at the answer deadline.
CREATE TABLE answer_links (
    token_hash TEXT PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    seat_id INTEGER NOT NULL REFERENCES seats (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'cover')),
    bound_to INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX answer_links_seat ON answer_links (seat_id, volunteer_id);
