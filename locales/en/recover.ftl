recover-intro =
    Changed your number and can't log in? Let's restore access: confirm your account's email with a code, then the new number with an SMS code.
    The number changes in { $days } { $days ->
        [one] day
       *[other] days
    }; until then the change can be cancelled, and your old contacts are notified.
recover-ask-email = Type the email that is in your account and confirmed.
recover-email-invalid = That doesn't look like an email. Please type the full address, like <code>anna@example.com</code>.
recover-code-sent = If this email is confirmed in an account, we've sent it a { $length }-digit code. Type it here. No email? Check spam, or tap "No access to email".
recover-email-failed = The code didn't work twice. No problem — we'll check your account another way; it takes a couple of minutes.
recover-code-again = That code no longer works. Type the email again and we'll send a new one.
recover-ask-new-phone = Email confirmed. Now send your new phone number — with the button below or as text, like <code>+7 912 345-67-89</code>.
recover-phone-code-sent = We've sent an SMS with a code to { $shown }. Type it here.
recover-scheduled = Done. The account's number changes to { $phone } on { $date }. Until then you can cancel it with the button below; we've notified your old contacts.
recover-pending-scheduled = A change of number to { $phone } is already scheduled for { $date }. You can cancel it with the button below.
recover-pending-review = Your access recovery request is being reviewed by a specialist (ticket #{ $id }). The answer will come here.
recover-too-many = There have been too many recovery attempts today. Please try tomorrow or call the hotline { $hotline }.
recover-cancelled = The number change is cancelled. Nothing has changed.
recover-cancel-failed = This number change can no longer be cancelled: it has already happened or was cancelled.
recover-applied = Your account's number is now { $phone }. You're logged in — use the bot as usual.
recover-review-intro = Let's check the account is yours: I'll ask four short questions, and a specialist will compare the answers with the account.
recover-ask-name = What's your name — first and last, as in the account?
recover-name-invalid = Please type your first and last name, up to 100 characters.
recover-ask-order = The number of any recent order, like <code>12345678-0001</code>. It's in the order emails and SMS.
recover-order-invalid = That doesn't look like an order number. It looks like <code>12345678-0001</code>.
recover-ask-old-phone = The old phone number that was in the account.
recover-ask-description = Last step: briefly describe what happened — for example, "lost my SIM card, the number isn't mine any more".
recover-review-sent = Your request is with a specialist — ticket #{ $id }. The check usually takes up to a day; the answer will come here.
recover-approved = A specialist approved your request. The account's number changes to { $phone } on { $date }; until then the change can be cancelled.
recover-rejected = Sorry, we couldn't restore access with this request. The reason: { $reason }
recover-old-chat = Someone asked to change your account's phone number to { $phone }. It will happen on { $date }. If it wasn't you, cancel it:
recover-old-chat-changed = Your account's phone number has been changed to { $phone } after a check by our specialist. If it wasn't you, write to us right away with /support or call the hotline { $hotline }.
recover-text-only = Please answer in text.
recover-btn-no-email = No access to email
recover-btn-cancel-change = Cancel the number change
recover-btn-not-me = Cancel — this wasn't me

recover-email-subject = Your access recovery code
recover-email-body =
    Your access recovery code: { $code }
    It's valid for { $minutes } min. Don't share it with anyone.
    If you didn't ask to restore access, just ignore this email.
recover-sms-text = Your code to change the number: { $code }. Valid for { $minutes } min. Don't share it with anyone.
recover-call-text = Number change call: the code is the last 4 digits of the number. Don't answer.
recover-notice-subject = A phone number change was requested
recover-notice-body =
    A change of your account's phone number to { $phone } was requested. It will happen on { $date }.
    If it wasn't you, cancel it in the support bot (/recover) or call the hotline 8-800-234-55-66.
recover-notice-sms = A change of your account's number to { $phone } ({ $date }) was requested. If it wasn't you, call 8-800-234-55-66.
recover-changed-subject = Your phone number was changed
recover-changed-body =
    Your account's phone number has been changed to { $phone } after a check by our specialist.
    If it wasn't you, call the hotline 8-800-234-55-66 right away or write to the support bot (/support).
recover-changed-sms = Your account's number was changed to { $phone }. If it wasn't you, call 8-800-234-55-66 right away.
cmd-recover = Changed my number — restore access
recover-logged-out = You've been logged out: your account's phone number was changed to { $phone }. If it wasn't you, write to us with /support or call the hotline { $hotline } right away.
recover-cancel-was-cancelled = This number change was already cancelled. Nothing has changed — your number stays as it was.
recover-cancel-applied = This number change has already happened. If it wasn't you, write to us with /support or call the hotline { $hotline } right away.
# The agent's reason follows this line as they wrote it.
recover-rejected-title = Sorry, we couldn't restore access with this request. The reason:
recover-ask-new-phone-review = Now your new phone number — share it with the button below or type it, like <code>+7 912 345-67-89</code>. I'll send it an SMS code.

# What people type instead of "No access to email" (a regular expression, lower case).
recover-no-email-words = no (e-?mail|mail|access)|don[’']?t have|do not have|can[’']?t (access|get into|open)|cannot access|lost (access|my email)|forgot|don[’']?t remember

# Requests typed outside any flow that lead to access recovery (a regular expression, lower case).
recover-request-words = chang(ed|e) my (phone )?number|new (phone )?number|lost my (phone|number|sim)|no longer have (my|this|the) number
