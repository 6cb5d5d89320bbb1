orders-need-login = To show your orders, please log in first — it takes a minute. Right after that I'll open your orders.
orders-none = There are no orders in this account yet.
orders-list-title = Your orders, newest first. Pick one — or just send its number.
orders-list-item = { $number } · { $date } · { $status }
orders-not-found = I couldn't find order { $number } in your account. Please check the number — it's in the app under "My orders", like <code>12345678-0001</code>.
orders-btn-newer = ← Newer
orders-btn-older = Older →
orders-btn-back = ← Back to orders
orders-btn-person = Talk to a person
orders-btn-cancel-yes = Yes, cancel the order
orders-btn-cancel-no = No, keep it
orders-btn-items-done = Done — send to support

orders-status-short-created = created
orders-status-short-paid = paid
orders-status-short-assembling = being packed
orders-status-short-in-transit = on its way
orders-status-short-ready-for-pickup = at the pickup point
orders-status-short-delivered = received
orders-status-short-cancelled = cancelled
orders-status-short-returned = returned

orders-card =
    <b>Order { $number }</b> — { $status }
    Placed { $created }, payment: { $payment }
    { $items }
    <b>Total: { $total }</b>
orders-item-label = { $title } × { $qty }
orders-card-item = • { $title } × { $qty } — { $price }
orders-card-more = • … and { $count } more { $count ->
        [one] item
       *[other] items
    }
orders-card-eta = Expected delivery: { $date }
orders-card-pickup = Pickup point: { $point }
orders-card-choose = What happened with the order?
orders-money = { $amount } ₽
orders-payment-card = by card
orders-payment-cash = on delivery
orders-payment-other = { $method }

orders-problem-where = Where is it / it's late
orders-problem-damaged = An item is damaged
orders-problem-wrong = Wrong or missing items
orders-problem-return = I want to return it
orders-problem-refund = Refund
orders-problem-cancel = Cancel the order
orders-problem-other = Something else
orders-problem-late = The order is late
orders-problem-recovery = Access recovery

orders-answer-preparing = The order is still being packed. Expected delivery: { $eta }. Once it's handed to delivery, its status in the app changes to "on its way".
orders-answer-on-its-way = The order is on its way and should arrive by { $eta }. You'll get a notification when it's at the pickup point — bring your ID or the code from the app.
orders-answer-at-pickup =
    Your order has arrived and is waiting for you at the pickup point: { $point }.
    { $hours }
    { $keeps }
    Bring the pickup code from the app. If something's wrong, tap "Talk to a person".
orders-answer-late = Sorry, the order is late: it was due { $eta }. I've passed it to a specialist marked "late" — ticket #{ $id }; we'll answer here.
orders-answer-delivered = According to delivery, the order was received. If it never reached you, talk to a specialist — we'll sort it out.
orders-answer-cancel-offer = The order hasn't shipped yet, so it can be cancelled. Cancel order { $number }?
orders-answer-cancel-shipped = The order has already shipped and can't be cancelled. You can refuse it at the pickup point or from the courier — the money comes back just as with a cancellation.
orders-answer-cancel-delivered = The order has been received, so it can't be cancelled — but you can return it: choose "I want to return it".
orders-answer-already-closed = This order is already { $status }.
orders-answer-return-steps =
    You can return items within { $days } { $days ->
        [one] day
       *[other] days
    } of receiving them:
    1. In the app: My orders → the order → "Return an item".
    2. Pick the item and the reason, and pack it.
    3. Bring it to any pickup point — the money goes to your in-app balance after the check.
orders-answer-return-expired = The return period ({ $days } { $days ->
        [one] day
       *[other] days
    } after receipt) has passed. If the item is faulty, choose "An item is damaged" or talk to a specialist.
orders-answer-return-not-yet = Returns start once you've received the order. Until then you can cancel it or refuse it on delivery.
orders-answer-refund-status = Money for a { $state ->
        [cancelled] cancelled
       *[returned] returned
    } order goes to your in-app balance. You can withdraw it to a card in your profile — that takes 2–3 business days.
orders-answer-refund-how = Money comes back after an order is cancelled or returned — to your in-app balance, and from there to a card in 2–3 business days.
orders-answer-ask-photos = Sorry about that. Please send photos of the damage — one or several, an album is fine — then a short description of what happened. I'll pass it all to a specialist.
orders-answer-ask-items = Tick the items that were wrong or missing, then tap "Done".
orders-answer-ask-details = Briefly describe what happened with the order — I'll pass it to a specialist with the order details.

orders-cancelled-balance = Order { $number } is cancelled. The money goes to your in-app balance; you can withdraw it to a card in your profile — that takes 2–3 business days.
orders-cancelled-unpaid = Order { $number } is cancelled. Nothing was charged, so there's nothing to refund.
orders-cancel-too-late = The order can't be cancelled any more: its status has changed. Please open it again.
orders-photo-or-text = Please send photos of the damage, or describe in text what happened.
orders-items-none = Please tick at least one item.
orders-escalated = Passed to a specialist — ticket #{ $id }. The answer will come here; you can add details or photos.
orders-summary = Order { $number }: { $problem }. { $text }
cmd-orders = My orders
# What the customer wrote follows this line as they wrote it.
orders-summary-title = Order { $number }: { $problem }.
orders-photos-got = Got { $count } { $count ->
        [one] photo
       *[other] photos
    }. Now describe in a few words what's wrong — or send more photos.
orders-photos-album-got = Got the album. Now describe in a few words what's wrong — or send more photos.

orders-pickup-hours = Open: { $hours }.
orders-pickup-hours-unknown = The opening hours are on the pickup point's page in the app.
orders-pickup-until = It's kept for you until { $date } inclusive.
orders-pickup-days = It's kept for { $days } { $days ->
        [one] day
       *[other] days
    } after arrival; the exact date is in the app.
orders-card-delivered = Delivered on { $date }
orders-answer-refund-not-charged = This order was to be paid on delivery, so nothing was charged and there's nothing to refund. If money was taken after all, tap "Talk to a person" and we'll look into it.

# A typed answer to "Cancel the order?" that is neither yes nor no.
orders-cancel-yes-or-no = Shall I cancel the order? Please answer "yes" or "no".

# Requests typed outside any flow that lead to the list of orders (a regular expression, lower case).
orders-request-words = where[’']?s my (order|parcel|package)|where is my (order|parcel|package)|order status|\blate\b|delayed|\bdelay|refund|\breturn|money back|my orders
