-- Closed tickets whose topic is still open: a close Telegram refused is tried again on
-- the relay's next pass. Only those are in the index, so the pass costs nothing else.
CREATE INDEX tickets_topic_to_close ON tickets (id)
WHERE status = 'closed' AND topic_closed = 0 AND topic_id IS NOT NULL AND card_pending = 0;
