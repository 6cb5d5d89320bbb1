support-ask-description = Please describe the problem in a couple of sentences — I'll pass it to a specialist along with your account details. If it's about an order, include its number.
support-describe-text = Please describe it in text — you can send photos and files right after.
support-opened =
    Ticket #{ $id } is open. You're number { $position } in the queue; we usually answer within { $minutes } min.
    Send here anything that matters: text, photos, files — it all goes into the ticket.
support-opened-after-hours =
    Ticket #{ $id } is open. Our specialists are off shift and back { $back }. They'll see your messages first thing.
    If it's urgent, call the hotline { $hotline }, 24/7.
support-already-open = You already have ticket #{ $id } open. Just write here — your message goes to a specialist.
support-reopened = Ticket #{ $id } is open again; your message is with a specialist.
support-banned = Sorry, we can't take your messages in this chat. Please call the hotline { $hotline }.
support-throttled = You're writing very fast — please wait a minute. Your last message wasn't sent; please send it again shortly.
support-closed-by-you = Ticket #{ $id } is closed. If you need help again, just write.
support-closed-by-agent = A specialist closed ticket #{ $id }. Please rate the help — it takes a second:
support-nothing-to-close = You have no open tickets.
support-rated = Thanks for rating! If you like, tell us in a few words what went well or what to improve. Or tap /skip.
support-comment-text = Please type your comment, or tap /skip.
support-thanks = Thank you! We read every review.
support-agent-says = <b>💬 Support · { $name }</b>
support-team-says = <b>💬 Support</b>
support-btn-close = Close the ticket
cmd-support = Talk to a person
# Words that ask for a person; a regular expression, matched case-insensitively.
support-human-words = \bhuman\b|\bagent\b|\boperator\b|real person|talk to a person|\bsupport\b|live person
support-cannot-relay = Sorry, I can't pass this kind of message on to the specialist. Please send it as text, a photo or a file.
# What a message was, said in words when Telegram won't pass it on as it is.
relay-kind-photo = 🖼 Photo
relay-kind-document = 📄 File
relay-kind-video = 🎬 Video
relay-kind-voice = 🎤 Voice message
relay-kind-audio = 🎵 Audio
relay-kind-animation = 🎞 GIF
relay-kind-sticker = Sticker
relay-kind-video-note = 📹 Video message
relay-kind-location = 📍 Location
relay-kind-venue = 📍 Place
relay-kind-contact = 👤 Contact
relay-kind-poll = 📊 Poll
relay-kind-dice = 🎲 Dice
relay-kind-other = ✉️ A message of a kind that can't be shown here
relay-in-words = <i>Telegram wouldn't pass this on as it is, so here it is in words.</i>
