-- Wrong tries in a row by a code's requester, carried from one code to the next, so
-- that asking for a new code does not start the count again.
ALTER TABLE codes ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;

-- When the owner of a phone or email flooded with codes was last told of it: once a
-- day, not once per refused request.
CREATE TABLE code_floods (
    destination TEXT PRIMARY KEY,
    told_at TEXT NOT NULL
);
