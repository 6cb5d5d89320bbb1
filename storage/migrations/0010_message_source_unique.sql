-- A message from Telegram is stored once: an update handled again after a crash (see
-- bot/incoming.py) must not relay the same words twice. Copies stored before this
-- change keep their text and lose only the link to their source (edits follow the
-- first).
UPDATE ticket_messages SET source_message_id = NULL
WHERE source_message_id IS NOT NULL AND id NOT IN (
    SELECT min(id) FROM ticket_messages WHERE source_message_id IS NOT NULL
    GROUP BY source_chat_id, source_message_id
);
DROP INDEX ticket_messages_source;
CREATE UNIQUE INDEX ticket_messages_source ON ticket_messages (source_chat_id, source_message_id)
WHERE source_message_id IS NOT NULL;
