-- One-time codes leave through the outbox too: a process killed after the reply still
-- delivers the code at its next start, unless a newer code has replaced it by then. The code and its text are wiped once the
-- message is delivered or given up on (the code itself is kept only as a hash).
ALTER TABLE outbox ADD COLUMN code TEXT;
ALTER TABLE outbox ADD COLUMN code_id INTEGER REFERENCES codes (id);
ALTER TABLE outbox ADD COLUMN expires_at TEXT;
