-- The human queue. A ticket's status: new (nobody took it), taken, waiting (an agent
-- answered, the customer's turn), closed.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    customer_name TEXT NOT NULL,
    customer_username TEXT,
    account_id TEXT,
    locale TEXT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    order_number TEXT,
    problem TEXT,
    context TEXT NOT NULL DEFAULT '{}',
    assignee_id INTEGER,
    assignee_name TEXT,
    topic_id INTEGER,
    topic_closed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    first_response_at TEXT,
    closed_at TEXT,
    overdue_announced_at TEXT,
    unreachable INTEGER NOT NULL DEFAULT 0,
    rating INTEGER,
    rating_comment TEXT
);
CREATE INDEX tickets_customer ON tickets (customer_id, id DESC);
CREATE INDEX tickets_open ON tickets (status, created_at);
CREATE INDEX tickets_topic ON tickets (topic_id);

-- Everything said in a ticket, written before it is relayed. direction: in (customer
-- to agents), out (agent to customer), note (agents only), event (the bot's own lines
-- for agents). relayed_id is the copy's message id on the other side.
CREATE TABLE ticket_messages (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    direction TEXT NOT NULL,
    author_id INTEGER,
    author_name TEXT,
    kind TEXT NOT NULL,
    text TEXT,
    file_id TEXT,
    media_group_id TEXT,
    source_chat_id INTEGER,
    source_message_id INTEGER,
    edit_of INTEGER REFERENCES ticket_messages (id),
    relayed_id INTEGER,
    created_at TEXT NOT NULL,
    relayed_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    failed TEXT
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
CREATE INDEX ticket_messages_pending ON ticket_messages (relayed_at, failed, id);
CREATE INDEX ticket_messages_source ON ticket_messages (source_chat_id, source_message_id);

CREATE TABLE canned_replies (
    key TEXT NOT NULL,
    locale TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (key, locale)
);

CREATE TABLE bans (
    telegram_id INTEGER PRIMARY KEY,
    banned_by INTEGER NOT NULL,
    at TEXT NOT NULL
);
