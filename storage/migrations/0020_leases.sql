-- Work that must run in one worker at a time (the relay, the outbox, the scheduler):
-- the worker named in `holder` does it until `until`, renewing; once that passes
-- without a renewal (the worker died), another takes it.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TEXT NOT NULL
);
