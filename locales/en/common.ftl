start-greeting =
    Hello, { $name }! I'm the marketplace support bot, and I answer right away, no queue.
    Pick what you need from the menu below — or just tell me what happened.
menu-title = How can I help?
menu-btn-login = Log in
menu-btn-orders = My orders
menu-btn-recover = I changed my number
menu-btn-support = Talk to a person
menu-btn-language = Language / Язык

help-text =
    <b>What I can do</b>
    /start — main menu
    /orders — my orders and help with them
    /support — talk to a person
    /login — log in by phone or email
    /recover — changed your number? restore access
    /logout — log out
    /language — change the language
    /cancel — stop the current step
    /help — this help

    Customer hotline: { $hotline } (24/7).
help-hotline = 8-800-234-55-66

language-choose = Choose your language:
language-set = Done, we'll speak English from now on.
language-btn-ru = Русский
language-btn-en = English

cancel-done = Cancelled. You can start again from the menu.
cancel-nothing = There is nothing to cancel right now.

fallback-unknown = I didn't quite get that. Pick an item from the menu below — or tap /help to see everything I can do.
button-stale = This button is out of date. Open the menu again: /start
error-generic = Something went wrong on our side. We're on it — please try again in a minute or start over with /start.

cmd-start = Main menu
cmd-help = What the bot can do
cmd-language = Change the language
cmd-cancel = Stop the current step

# One line when a command or a menu button leaves a step in progress.
leave-login = Left the login.
leave-recover = Left the number change.
leave-support = Left the request to a person.
leave-support-comment = Left the comment on the rating.
leave-orders = Left the question about the order.
leave-step = Left the current step.

# Words people type instead of pressing "Yes" or "No" (regular expressions, lower case).
confirm-yes-words = ^\s*(yes|yeah|yep|yup|sure|ok|okay|please do|do it|go ahead)\b
confirm-no-words = ^\s*(no|nope|nah|don[’']?t|do not|keep it|not now)\b
# The second answer a step could not read names its buttons in words.
choices-named = You can also tap a button: { $choices }.
choices-item = "{ $label }"
