-- The relay reads what is still to deliver, per ticket; a partial index keeps that
-- cheap however many delivered messages a ticket (or the database) holds.
CREATE INDEX ticket_messages_undelivered ON ticket_messages (ticket_id, id)
WHERE relayed_at IS NULL AND failed IS NULL;
