-- Telegram users who wrote to the bot, with the language they chose.
CREATE TABLE customers (
    telegram_id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT,
    username TEXT,
    language_code TEXT,
    locale TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- aiogram FSM: one row per StorageKey, so conversations survive restarts.
CREATE TABLE fsm (
    key TEXT PRIMARY KEY,
    state TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);

-- The embedded marketplace store, filled from MARKETPLACE_DATA.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    extra TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
CREATE INDEX accounts_phone ON accounts (phone);
CREATE INDEX accounts_email ON accounts (lower(email));

CREATE TABLE orders (
    number TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivery_eta TEXT,
    pickup_point TEXT,
    items TEXT NOT NULL DEFAULT '[]',
    total REAL NOT NULL,
    payment TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_account ON orders (account_id, created_at DESC);
