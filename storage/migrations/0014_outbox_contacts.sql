-- Notices that protect an account also go by SMS and email, through the same outbox:
-- retried until delivered or given up on (and then agents are told). A phone change
-- is applied only once every notice of it is settled.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
ALTER TABLE outbox ADD COLUMN destination TEXT;
ALTER TABLE outbox ADD COLUMN subject TEXT;
ALTER TABLE outbox ADD COLUMN recovery_id INTEGER REFERENCES recoveries (id);
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_at TEXT;

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (chat_id, id)
WHERE sent_at IS NULL AND failed IS NULL AND channel = 'telegram';
CREATE INDEX outbox_contacts ON outbox (next_at)
WHERE sent_at IS NULL AND failed IS NULL AND channel != 'telegram';
CREATE INDEX outbox_of_recovery ON outbox (recovery_id)
WHERE recovery_id IS NOT NULL AND sent_at IS NULL AND failed IS NULL;
