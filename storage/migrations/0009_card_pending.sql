-- A topic is opened, then its card is posted. Set in between: if the card could not be
-- posted yet, the next try posts it into the same topic instead of opening another.
ALTER TABLE tickets ADD COLUMN card_pending INTEGER NOT NULL DEFAULT 0;
