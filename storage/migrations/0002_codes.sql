-- One-time codes: only a salted hash is kept. account_id is NULL when the
-- destination has no account: the customer sees the same flow, nothing is sent.
CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    account_id TEXT,
    salt BLOB NOT NULL,
    code_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts_left INTEGER NOT NULL,
    used_at TEXT,
    burned_at TEXT
);
CREATE INDEX codes_open ON codes (telegram_id, purpose, id DESC);
CREATE INDEX codes_destination ON codes (destination, created_at);
CREATE INDEX codes_sender ON codes (telegram_id, created_at);

-- Who did what with codes and links; destinations are stored masked.
CREATE TABLE auth_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    telegram_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    channel TEXT,
    destination_masked TEXT,
    account_id TEXT
);

-- A Telegram chat linked to a marketplace account by a confirmed code.
CREATE TABLE links (
    telegram_id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX links_account ON links (account_id);
