-- The team's numbers (/stats, `python -m bot stats`) read tickets by when they were
-- opened, first answered and closed; without these each read scanned the whole table.
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_first_response ON tickets (first_response_at);
CREATE INDEX tickets_closed ON tickets (closed_at);
