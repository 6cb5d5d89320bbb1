-- Several agents' forums (SUPPORT_CHATS): a ticket lives in one, chosen when it opens and
-- kept until an agent moves it. A topic's id is its forum's own, so a topic is found by
-- the two together. Tickets from before are placed in the one forum there was at start.
ALTER TABLE tickets ADD COLUMN forum_id INTEGER;
CREATE INDEX tickets_forum_topic ON tickets (forum_id, topic_id);
