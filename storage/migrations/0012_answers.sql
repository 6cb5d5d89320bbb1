-- What a handler sends, written in the transaction that marks its update handled and
-- removed once sent: a crash after the commit sends the rest at the next start, and
-- a crash before it left nothing to send twice.
CREATE TABLE answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id INTEGER NOT NULL,
    method TEXT NOT NULL, -- the Bot API method's name
    body TEXT NOT NULL -- its parameters as the JSON body sent to Telegram
);
