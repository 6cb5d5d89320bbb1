-- Every message a stored one became on the other side, in order (a JSON array): a long
-- text is split in parts, and an edit has to change the part it touches. relayed_id
-- stays the first of them (the one a reply or an edit of a single message points at).
ALTER TABLE ticket_messages ADD COLUMN relayed_ids TEXT;
