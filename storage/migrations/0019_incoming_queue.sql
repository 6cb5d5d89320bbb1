-- Webhook workers share `incoming` as a queue. Each update is kept with the key of its
-- chat (its topic, in a forum), so that a chat's updates are handled one after another
-- in Telegram's order whichever worker received them; a worker holds the one it handles
-- by a lease it renews, which runs out a few seconds after the worker dies, and then
-- another takes the update over. Long polling leaves these columns empty.
ALTER TABLE incoming ADD COLUMN chat_key TEXT;
ALTER TABLE incoming ADD COLUMN lease_holder TEXT;
ALTER TABLE incoming ADD COLUMN lease_until TEXT; -- ISO time, UTC
ALTER TABLE incoming ADD COLUMN received_at TEXT; -- ISO time, UTC: handled ones are forgotten later
CREATE INDEX incoming_waiting ON incoming (chat_key, update_id) WHERE handled = 0;
CREATE INDEX answers_update ON answers (update_id);
