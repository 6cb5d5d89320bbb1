"""Moving between the login's steps: ask for the phone or the email, send a code and ask
for it. Shared by the steps, and by the flows that need a login first."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.phones import mask
from bot.domain.values import Channel
from bot.keyboards.login import phone_request, with_cancel
from bot.services.codes import (
    CodeWrong,
    DestinationCapped,
    HourlyCapReached,
    NotACode,
    RequesterLocked,
    TooSoon,
)
from bot.services.login import ChannelOff, LoginService
from bot.telegram.i18n import Texts
from bot.telegram.states import Login
from bot.telegram.text_keys import CODE_SENT
from handlers.taps import alert


async def start_login(
    message: Message, state: FSMContext, t: Texts, *, then: str | None = None
) -> None:
    """Ask for the phone; `then` names the flow to return to after a successful login."""
    await state.set_data({"then": then} if then else {})
    await ask_phone(message, state, t)


async def ask_phone(message: Message, state: FSMContext, t: Texts) -> None:
    await state.set_state(Login.phone)
    await message.answer(t("login-ask-phone"), reply_markup=phone_request(t))


async def ask_email(message: Message, state: FSMContext, t: Texts) -> None:
    await state.set_state(Login.email)
    await message.answer(t("login-ask-email"), reply_markup=with_cancel(t))


async def send_code(
    message: Message,
    state: FSMContext,
    t: Texts,
    login: LoginService,
    *,
    channel: Channel,
    destination: str,
    callback_answer: CallbackAnswer | None = None,
) -> None:
    """Ask for a code and move to Login.code; limits are explained, not hidden."""
    try:
        sent = await login.send_code(message.chat.id, channel, destination, t.locale)
    except TooSoon as error:
        text = t("login-too-soon", seconds=error.seconds)
        if callback_answer is not None:
            alert(callback_answer, text)
        else:
            await message.answer(text)
        return
    except HourlyCapReached as error:
        await message.answer(_refused(t, error, destination))
        return
    except ChannelOff as error:
        if error.channel == Channel.EMAIL:
            await message.answer(t("login-channel-off-email"))
            await ask_phone(message, state, t)
        else:
            await message.answer(t("login-channel-off-phone"))
            await ask_email(message, state, t)
        return
    # Data first: a crash between the two writes must not leave Login.code without it.
    await state.update_data(
        {
            "channel": channel,
            "destination": destination,
            "shown": sent.shown,
            "length": sent.code_length,
        }
    )
    await state.set_state(Login.code)
    await message.answer(
        t(CODE_SENT[channel], shown=sent.shown, minutes=sent.ttl_minutes),
        reply_markup=with_cancel(t, "login-btn-no-code"),
    )


def not_a_code(t: Texts, error: NotACode | CodeWrong) -> str:
    """What to say to text that cannot be the code, or to a wrong code with tries left;
    every code step says the same."""
    if isinstance(error, CodeWrong):
        return t("login-code-wrong", left=error.attempts_left)
    key = "login-code-length" if error.has_digits else "login-code-only-digits"
    return t(key, length=error.length)


def _refused(t: Texts, error: HourlyCapReached, destination: str) -> str:
    hotline = t("help-hotline")
    if isinstance(error, RequesterLocked):
        return t("login-locked", minutes=error.minutes, hotline=hotline)
    if isinstance(error, DestinationCapped):
        shown = mask(destination)
        return t("login-destination-capped", shown=shown, minutes=error.minutes, hotline=hotline)
    return t("login-hourly-cap", minutes=error.minutes, hotline=hotline)
