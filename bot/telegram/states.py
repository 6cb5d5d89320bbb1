"""Every conversation state. The stored value is "Group:state": a rename needs a
data migration of the fsm table, or the stored name kept (see Recovery)."""

from aiogram.fsm.state import State, StatesGroup


class Login(StatesGroup):
    phone = State()  # awaiting a phone number or the shared contact
    email = State()  # awaiting the account's email
    code = State()  # awaiting the one-time code


class Support(StatesGroup):
    describe = State()  # awaiting a short description before a ticket opens
    comment = State()  # awaiting an optional comment after a rating


class Orders(StatesGroup):
    photos = State()  # damaged: awaiting photos, then a description
    details = State()  # something else: awaiting a description
    cancel = State()  # awaiting yes or no to cancelling the order


# Stored as "Recover:email" since the first release, and the texts that name a step
# (leave-recover-*) are keyed by it: the class took the flow's one name, the values kept
# theirs, so nothing stored needs a migration.
_RECOVERY_STORED_AS = "Recover"


class Recovery(StatesGroup):
    email = State(group_name=_RECOVERY_STORED_AS)  # awaiting the account's email
    email_code = State(group_name=_RECOVERY_STORED_AS)  # awaiting the code sent to it
    new_phone = State(group_name=_RECOVERY_STORED_AS)  # awaiting the new number
    phone_code = State(group_name=_RECOVERY_STORED_AS)  # awaiting the code sent to the new number
    name = State(group_name=_RECOVERY_STORED_AS)  # review: awaiting the full name
    order = State(group_name=_RECOVERY_STORED_AS)  # review: awaiting a recent order number
    old_phone = State(group_name=_RECOVERY_STORED_AS)  # review: awaiting the old number
    description = State(group_name=_RECOVERY_STORED_AS)  # review: awaiting what happened


# States whose prompt put a reply keyboard on screen: leaving them takes it away.
REPLY_KEYBOARD_STATES = frozenset(
    state.state
    for state in (
        Login.phone,
        Login.email,
        Login.code,
        Recovery.email,
        Recovery.email_code,
        Recovery.new_phone,
        Recovery.phone_code,
    )
)
