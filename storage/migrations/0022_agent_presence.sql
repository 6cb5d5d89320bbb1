-- Agents available for auto-assignment (/online, /away), each forum on its own: an agent
-- may be in several. `online_since` breaks ties between agents with as many open tickets.
CREATE TABLE agent_presence (
    forum_id INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    agent_name TEXT NOT NULL,
    online_since TEXT NOT NULL,
    PRIMARY KEY (forum_id, agent_id)
);
-- An agent's open tickets, counted for each new ticket while agents are online.
CREATE INDEX tickets_assignee_open ON tickets (assignee_id) WHERE status != 'closed';
-- An overdue ticket is told to its forum at the first-response target, and to the admins
-- at twice it. Auto-assigned, a ticket is taken before anyone answers: it can be overdue.
ALTER TABLE tickets ADD COLUMN overdue_escalated_at TEXT;
DROP INDEX tickets_to_announce;
CREATE INDEX tickets_to_announce ON tickets (created_at)
WHERE status IN ('new', 'taken') AND first_response_at IS NULL AND overdue_announced_at IS NULL;
CREATE INDEX tickets_to_escalate ON tickets (created_at)
WHERE status IN ('new', 'taken') AND first_response_at IS NULL AND overdue_escalated_at IS NULL;
-- Tickets already told to their forum before this release are not brought to the admins
-- all at once: those long forgotten would arrive as a burst.
UPDATE tickets SET overdue_escalated_at = overdue_announced_at
WHERE overdue_announced_at IS NOT NULL;
