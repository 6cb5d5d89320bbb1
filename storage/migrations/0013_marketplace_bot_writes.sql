-- When the bot itself changed a field through the marketplace port. MARKETPLACE_DATA is
-- imported at every start, and a file made before the change must not undo it: a
-- cancelled order back to paid could be refunded twice, an old number could log in.
ALTER TABLE orders ADD COLUMN status_by_bot_at TEXT;
ALTER TABLE accounts ADD COLUMN phone_by_bot_at TEXT;
