"""Every conversation state. The stored value is "Group:state": a rename needs a
data migration of the fsm table."""

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


class Recover(StatesGroup):
    email = State()  # awaiting the account's email
    email_code = State()  # awaiting the code sent to it
    new_phone = State()  # awaiting the new number
    phone_code = State()  # awaiting the code sent to the new number
    name = State()  # review: awaiting the full name
    order = State()  # review: awaiting a recent order number
    old_phone = State()  # review: awaiting the old number
    description = State()  # review: awaiting what happened


# States whose prompt put a reply keyboard on screen: leaving them takes it away.
REPLY_KEYBOARD_STATES = frozenset(
    state.state
    for state in (
        Login.phone,
        Login.email,
        Login.code,
        Recover.email,
        Recover.email_code,
        Recover.new_phone,
        Recover.phone_code,
    )
)
