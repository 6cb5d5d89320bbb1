"""Text keys the code picks at run time, by a value (a command, a status, a channel).

Written out in full rather than put together from the value: a key typed here is found
by a search, and tests/unit/test_locales.py checks every one of them exists in every
locale and that each family covers the values it is picked by.
"""

from __future__ import annotations

# The command menu (setMyCommands), by command.
COMMANDS = {
    "start": "cmd-start",
    "orders": "cmd-orders",
    "login": "cmd-login",
    "support": "cmd-support",
    "language": "cmd-language",
    "help": "cmd-help",
    "cancel": "cmd-cancel",
    "logout": "cmd-logout",
}

# The language keyboard, by locale.
LANGUAGE_BUTTONS = {"ru": "language-btn-ru", "en": "language-btn-en"}

# An order's status in a button or a line, by OrderStatus value.
ORDER_STATUSES = {
    "created": "orders-status-short-created",
    "paid": "orders-status-short-paid",
    "assembling": "orders-status-short-assembling",
    "in_transit": "orders-status-short-in-transit",
    "ready_for_pickup": "orders-status-short-ready-for-pickup",
    "delivered": "orders-status-short-delivered",
    "cancelled": "orders-status-short-cancelled",
    "returned": "orders-status-short-returned",
}

# A ticket's problem: the order problems a customer picks, and those the bot sets.
ORDER_PROBLEMS = {
    "where": "orders-problem-where",
    "damaged": "orders-problem-damaged",
    "wrong": "orders-problem-wrong",
    "return": "orders-problem-return",
    "refund": "orders-problem-refund",
    "cancel": "orders-problem-cancel",
    "other": "orders-problem-other",
    "late": "orders-problem-late",
    "recovery": "orders-problem-recovery",
}

# What the bot says about an order's problem, by the services' Answer.
ORDER_ANSWERS = {
    "preparing": "orders-answer-preparing",
    "on-its-way": "orders-answer-on-its-way",
    "at-pickup": "orders-answer-at-pickup",
    "late": "orders-answer-late",
    "delivered": "orders-answer-delivered",
    "cancel-offer": "orders-answer-cancel-offer",
    "cancel-shipped": "orders-answer-cancel-shipped",
    "cancel-delivered": "orders-answer-cancel-delivered",
    "already-closed": "orders-answer-already-closed",
    "return-steps": "orders-answer-return-steps",
    "return-expired": "orders-answer-return-expired",
    "return-not-yet": "orders-answer-return-not-yet",
    "refund-status": "orders-answer-refund-status",
    "refund-not-charged": "orders-answer-refund-not-charged",
    "refund-how": "orders-answer-refund-how",
    "ask-photos": "orders-answer-ask-photos",
    "ask-items": "orders-answer-ask-items",
    "ask-details": "orders-answer-ask-details",
}

# How an order is paid, for the ways that have words; any other is shown as given.
PAYMENTS = {"card": "orders-payment-card", "cash": "orders-payment-cash"}

# A message Telegram would not pass on as it is, in words, by its kind.
RELAY_KINDS = {
    "photo": "relay-kind-photo",
    "document": "relay-kind-document",
    "video": "relay-kind-video",
    "voice": "relay-kind-voice",
    "audio": "relay-kind-audio",
    "animation": "relay-kind-animation",
    "sticker": "relay-kind-sticker",
    "video_note": "relay-kind-video-note",
    "location": "relay-kind-location",
    "venue": "relay-kind-venue",
    "contact": "relay-kind-contact",
    "poll": "relay-kind-poll",
    "dice": "relay-kind-dice",
    "other": "relay-kind-other",
}

# Where a login code went, by channel.
CODE_SENT = {
    "sms": "login-code-sent-sms",
    "call": "login-code-sent-call",
    "email": "login-code-sent-email",
}

# A message to a phone or an email: (the email's subject, or "" for a phone; the text).
Contact = tuple[str, str]

# A one-time code, by flow and channel.
CODE_MESSAGES: dict[str, dict[str, Contact]] = {
    "login": {
        "email": ("login-email-subject", "login-email-body"),
        "sms": ("", "login-sms-text"),
        "call": ("", "login-call-text"),
    },
    "recover": {
        "email": ("recover-email-subject", "recover-email-body"),
        "sms": ("", "recover-sms-text"),
        "call": ("", "recover-call-text"),
    },
}

# A heads-up with no code in it, by its name, to an email or by SMS.
NOTICES: dict[str, dict[str, Contact]] = {
    "login-flood": {
        "email": ("login-flood-subject", "login-flood-body"),
        "sms": ("", "login-flood-sms"),
    },
    "recover-notice": {
        "email": ("recover-notice-subject", "recover-notice-body"),
        "sms": ("", "recover-notice-sms"),
    },
    "recover-changed": {
        "email": ("recover-changed-subject", "recover-changed-body"),
        "sms": ("", "recover-changed-sms"),
    },
}

# The line that says which step a command dropped: by the state as stored, else by its
# flow; any other step gets "leave-step".
LEFT_STEPS = {
    "Support:comment": "leave-support-comment",
    "Login": "leave-login",
    "Orders": "leave-orders",
    "Recover": "leave-recover",
    "Support": "leave-support",
}
