-- The relay asks "is any ticket overdue and not yet announced?" on every pass; only
-- unanswered, unannounced new tickets can be, so the index holds just those.
CREATE INDEX tickets_to_announce ON tickets (created_at)
WHERE status = 'new' AND first_response_at IS NULL AND overdue_announced_at IS NULL;
