agents-card-title = <b>Ticket #{ $id }</b>: { $subject }
agents-card-recreated = ⚠️ The previous topic was deleted or closed by hand — the ticket continues here.
agents-card-customer = Customer: { $name } ({ $username }, id <code>{ $telegram_id }</code>)
agents-card-account = Account: { $name } (<code>{ $id }</code>), phone { $phone }
agents-card-no-account = Account: not linked (the customer has not logged in)
agents-card-language = Customer's language: { $locale }
agents-card-order = Order: <code>{ $number }</code>, problem: { $problem }
agents-card-recent = <b>Latest messages:</b>
agents-card-help = To answer the customer, just write in this topic. /note text — a note for colleagues, /take — take it, /close — close it, /reply key — a canned reply.
agents-media = [{ $kind }]
agents-customer-says = <b>👤 { $name }:</b>
agents-customer-edited = <b>✏️ { $name } edited a message:</b>
agents-unreachable = ⛔ The customer blocked the bot: replies are saved but not delivered. The ticket is marked unreachable.
agents-overdue = ⏰ Ticket #{ $id } ({ $name }) has waited over { $minutes } min for a first answer.
agents-queue-title = <b>Queue: { $count }</b>
agents-queue-line = { $mark }{ $status } #{ $id } · { $name } · waiting { $minutes } min · { $assignee }
agents-queue-nobody = unassigned
agents-queue-empty = The queue is empty 🎉
agents-taken = Ticket #{ $id } taken by { $name }.
agents-closed = Ticket #{ $id } closed ({ $name }).
agents-already-closed = Ticket #{ $id } is already closed.
agents-note-saved = 📝 Note saved — the customer doesn't see it.
agents-note-empty = Write the note after the command: /note text
agents-no-ticket = There is no ticket in this topic. Ticket commands work inside their topics; /queue works anywhere.
agents-unknown-command = No such command. In a ticket topic: /note, /take, /close, /reply key; admins: /ban, /unban, /canned.
agents-canned-missing = There is no canned reply "{ $key }". List: /canned
agents-canned-list = <b>Canned replies:</b>
agents-canned-line = <code>{ $key }</code> [{ $locale }]: { $text }
agents-canned-none = No canned replies yet. Add one: /canned_set key ru|en text
agents-canned-saved = Canned reply "{ $key }" [{ $locale }] saved.
agents-canned-deleted = Canned reply "{ $key }" deleted.
agents-canned-usage = Format: /canned_set key ru|en text, /canned_del key
agents-admins-only = Only admins can do that.
agents-banned = The customer is banned: their messages no longer reach agents. /unban to lift it.
agents-unbanned = Ban lifted.
agents-rated = The customer rated the help: { $stars }
agents-commented = The customer's comment: { $text }
agents-closed-by-customer = The customer closed the ticket.
agents-btn-take = Take
agents-btn-close = Close
agents-card-items = Items: { $items }
agents-recovery-evidence =
    <b>Access recovery</b> for account { $account }
    Name typed: { $name_typed } · on the account: { $name_held } · matches: { $name }
    Order typed: { $order_typed } · from this account: { $order }
    Old number typed: { $old } · on the account: { $old_held } · matches: { $old_ok }
    New number { $new } confirmed by a code.
agents-yes = ✅ yes
agents-no = ❌ no
agents-btn-approve = Approve the number change
agents-btn-reject = Reject
agents-recovery-approved = Number change approved ({ $name }); the customer has the date.
agents-recovery-reject-how = Write /reject and the reason in this topic — the customer gets it.
agents-recovery-rejected = Request rejected; the reason was sent to the customer.
agents-recovery-decided = This request has already been decided.
agents-recovery-notice-lost = ⚠️ Number change #{ $id } (account { $account }, ticket #{ $ticket }): the warning to { $whom } could not be delivered ({ $reason }). The change goes ahead on { $date } unless someone cancels it — please reach the owner another way.
# Long texts: the person's own words follow these lines as they wrote them.
agents-comment-title = The customer's comment:
agents-card-items-more = … and { $count } more — the whole list is in the customer's message below.
agents-button-stale = This button is out of date: there is no such ticket. /queue shows the open ones.
agents-cannot-relay = This kind of message can't be passed on to the customer. Please send text, a photo or a file.
agents-edit-not-followed = This reply reached the customer in { $parts } { $parts ->
        [one] part
       *[other] parts
    }, and the edit would need a different number of them, so the customer still sees the old text. Please send the correction as a new message.
# Who holds a ticket, and taking it over from them.
agents-card-holder = Holder: { $name }
agents-card-approved = ✅ Number change approved by { $name }. The ticket is closed.
agents-card-rejected = ❌ Request rejected by { $name }. The ticket is closed.
agents-take-held = Ticket #{ $id } is held by { $name }. Take it over? They will be told in this topic.
agents-btn-take-over = Yes, take it over
agents-taken-over = Ticket #{ $id } taken over by { $name } from <a href="tg://user?id={ $previous_id }">{ $previous }</a>. { $previous }, it is no longer yours — no need to answer here.
agents-queue-forum = 📂 <b>{ $forum }</b>
agents-move-how = To move a ticket to another forum, send /move and its name in the ticket's topic: { $forums }
agents-moved-here = Moved here from { $forum } by { $name }. The card and the latest messages are above.
agents-moved-away = Ticket #{ $id } moved to { $forum }: it continues there, and this topic closes.
# The team's numbers: /stats in the forum and the stats page (python -m bot stats).
agents-stats-refused = The team's numbers are for admins only.
agents-stats-usage = Write /stats, /stats week or /stats month.
agents-stats-today = today
agents-stats-week = the last 7 days
agents-stats-month = the last 30 days
agents-stats-title = 📊 <b>The team's numbers: { $period }</b> ({ $start } – { $end })
agents-stats-all = <b>All forums</b>
agents-stats-forum = 📂 <b>{ $forum }</b>
agents-stats-agent = 👤 <b>{ $name }</b>
agents-stats-counts = Opened { $opened } · closed { $closed } · open now { $waiting }
agents-stats-first = First answer: p50 { $p50 } · p90 { $p90 }
agents-stats-resolution = Resolution: p50 { $p50 } · p90 { $p90 }
agents-stats-csat = Rating: { NUMBER($csat, maximumFractionDigits: 2) } of 5 ({ $count } { $count ->
        [one] rating
       *[other] ratings
    })
agents-stats-no-csat = Rating: no ratings yet
agents-stats-none = —
agents-stats-seconds = { $seconds } s
agents-stats-minutes = { $minutes } min
agents-stats-hours = { $hours } h { $minutes } min
agents-stats-days = { $days } d { $hours } h
agents-stats-page-title = The team's numbers
agents-stats-page-period = Period
agents-stats-page-where = Forum or agent
agents-stats-page-opened = Opened
agents-stats-page-closed = Closed
agents-stats-page-waiting = Open now
agents-stats-page-first = First answer p50 / p90
agents-stats-page-resolution = Resolution p50 / p90
agents-stats-page-csat = Rating (count)
agents-stats-page-forums = By forum
agents-stats-page-agents = By agent
agents-stats-page-total = All forums
agents-stats-page-chart-first = First answer by day: p50 and p90
agents-stats-page-chart-backlog = Open tickets by hour
agents-stats-page-generated = Counted at { $at } ({ $zone }). Open now counts the tickets open at that moment, whatever the period.
# Auto-assignment (AUTO_ASSIGN): who is online in this forum, and a ticket given to them.
agents-online = 🟢 You are online in this forum: new tickets here may be given to you. /away stops that.
agents-online-off = 🟢 Noted, but auto-assignment is off (AUTO_ASSIGN): tickets wait to be taken as usual.
agents-away = ⚪ You are away in this forum: no new tickets here will be given to you.
agents-away-already = ⚪ You were not online in this forum: nothing is given to you here.
agents-event-for = 👋 <a href="tg://user?id={ $agent_id }">{ $name }</a>
agents-assigned = This ticket was given to you automatically: you are online here and had the fewest open tickets.
agents-overdue-admins = 🚨 Ticket #{ $id } ({ $name }) in { $forum } has waited over { $minutes } min for a first answer — twice the target. Holder: { $holder }.
