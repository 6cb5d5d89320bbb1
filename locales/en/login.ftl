login-ask-phone =
    To log in, send the phone number of your account — with the button below or as text, like <code>+7 912 345-67-89</code>.
    No password needed: we'll send a one-time code.
login-phone-placeholder = +7 912 345-67-89
login-phone-invalid = I can't read "{ $text }" as a phone number. Please type it in full, like <code>+7 912 345-67-89</code> or <code>8 912 345-67-89</code>.
login-phone-only-text = Please send your phone number as text, or tap "Share my number" below.
login-contact-not-yours = That's someone else's contact. You can only log in with your own number: tap "Share my number" or type it.
login-ask-email = Type the email confirmed in your account. Email login works only when the address is confirmed in your profile.
login-email-invalid = That doesn't look like an email. Please type the full address, like <code>anna@example.com</code>.
login-email-only-text = Please type your email as text, like <code>anna@example.com</code>.

login-code-sent-sms = We've sent an SMS with a code to { $shown }. Type it here — it's valid for { $minutes } min.
login-code-sent-call = You'll get a call to { $shown } now. Don't answer: the code is the last 4 digits of the calling number. Type them here; they're valid for { $minutes } min.
login-code-sent-email = We've emailed a code to { $shown }. Type it here — it's valid for { $minutes } min. Check your spam folder if it isn't there.
login-code-wrong =
    { $left ->
        [one] That code didn't work. { $left } try left.
       *[other] That code didn't work. { $left } tries left.
    }
login-code-length = The code has { $length } { $length ->
        [one] digit
       *[other] digits
    }. Please check it and type it again.
login-code-only-digits = Please type the code as digits — the { $length } { $length ->
        [one] digit
       *[other] digits
    } from the message.
login-code-expired = That code has expired. Ask for a new one — it's quick.
login-code-burned = That code no longer works: too many wrong tries, or a newer code was sent. Ask for a new code.
login-code-none = There's no active code. Ask for a new one.
login-too-soon = You can ask for a new code in { $seconds } s.
login-hourly-cap = Too many codes asked for in an hour. Please try again in { $minutes } min. If codes never arrive, call the hotline { $hotline }.
login-welcome = Done, { $name }, you're logged in. Now I can see your orders and help with them.
login-already = You're already logged in as { $name }. To switch accounts, tap /logout.
login-logged-out = You've logged out. To log in again, tap /login.
login-not-logged-in = You aren't logged in. To log in: /login.

login-no-code-tips =
    <b>If the code didn't arrive</b>
    • Check that your phone is on and has signal.
    • Check the number: { $shown }. A recently changed number is the usual cause.
    • SMS sometimes take a while — give it a couple of minutes.
    • If no SMS arrive at all, your operator may be blocking them: ask for a call or a code by email.

login-sms-text = Your login code: { $code }. Valid for { $minutes } min. Don't share it with anyone.
login-call-text = Login call: the code is the last 4 digits of the number. Don't answer.
login-email-subject = Your login code
login-email-body =
    Your login code: { $code }
    It's valid for { $minutes } min. Don't share it with anyone.
    If you didn't ask for a code, just ignore this email.

login-btn-share-contact = 📱 Share my number
login-btn-by-email = Log in by email
login-btn-cancel = Cancel
login-btn-no-code = Didn't get the code
login-btn-resend = Send the code again
login-btn-resend-wait = Send again (in { $seconds } s)
login-btn-by-call = Call me instead
login-btn-by-sms = Send an SMS instead
login-btn-email-instead = Code by email
login-btn-lost-number = I no longer have this number

cmd-login = Log in by phone or email
cmd-logout = Log out

login-channel-off-phone = Codes by SMS or call aren't available right now. Please log in with the email confirmed in your account.
login-channel-off-email = Codes by email aren't available right now. Please log in with your phone number.
login-locked = Too many wrong codes in a row. For your safety, you can ask for a new code in { $minutes } min. If you can't log in, call the hotline { $hotline }.
login-destination-capped = Too many codes were asked for { $shown } lately, so we've paused them for { $minutes } min. Please log in another way, or call the hotline { $hotline }.
login-flood-subject = Many login codes were asked for your account
login-flood-body =
    Someone asked for many login codes to { $shown } in a short time, so we've paused codes to it for a while.
    If it was you, wait a little or log in another way.
    If it wasn't you, there's nothing to do: without the code nobody can log in. Never tell anyone your codes.
login-flood-sms = Many login codes were asked for { $shown }; we've paused them for a while. Without the code nobody can log in. Never share your codes.
login-flood-chat = Someone asked for many login codes to { $shown } in a short time, so we've paused codes to it for a while. If it wasn't you, there's nothing to do: without the code nobody can log in. Never tell anyone your codes.
