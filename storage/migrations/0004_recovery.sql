-- Access recovery after a phone change. status: review (waiting for an agent),
-- scheduled (applies at due_at unless cancelled), applied, cancelled, rejected.
CREATE TABLE recoveries (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL,
    account_id TEXT,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    new_phone TEXT NOT NULL,
    locale TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '{}',
    ticket_id INTEGER,
    created_at TEXT NOT NULL,
    due_at TEXT,
    decided_by INTEGER,
    reason TEXT,
    finished_at TEXT
);
CREATE INDEX recoveries_due ON recoveries (status, due_at);
CREATE INDEX recoveries_user ON recoveries (telegram_id, created_at);
CREATE INDEX recoveries_account ON recoveries (account_id, created_at);
