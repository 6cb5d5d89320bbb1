-- Notices the bot sends on its own (an overdue ticket, a recovery applied, a code that
-- could not be delivered): written in the transaction that decides them, delivered
-- afterwards in order per chat, so a restart or an outage loses none.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    markup TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id INTEGER,
    failed TEXT
);

CREATE INDEX outbox_pending ON outbox (chat_id, id) WHERE sent_at IS NULL AND failed IS NULL;
