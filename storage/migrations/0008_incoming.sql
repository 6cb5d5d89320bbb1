-- Updates taken from Telegram: each is written before Telegram is told it arrived,
-- marked handled once it is, and removed once Telegram has confirmed it. A handled
-- row stays until then, to recognise Telegram sending it again after a crash.
CREATE TABLE incoming (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    handled INTEGER NOT NULL DEFAULT 0, -- 1 handled; 2 let go, kept to be looked at
    starts INTEGER NOT NULL DEFAULT 0 -- replays that reached its handlers
);
CREATE INDEX incoming_handled ON incoming (update_id) WHERE handled = 1;
