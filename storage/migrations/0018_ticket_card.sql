-- The card is edited as the ticket changes (its holder, a recovery's decision, a joined
-- complaint): its message, and what it carried besides the ticket's own fields (quotes
-- of a deleted topic, the customer's first words), rendered once when it was posted.
ALTER TABLE tickets ADD COLUMN card_message_id INTEGER;
ALTER TABLE tickets ADD COLUMN card_tail TEXT;
ALTER TABLE tickets ADD COLUMN card_rider TEXT;
