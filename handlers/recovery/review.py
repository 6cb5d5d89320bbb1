"""Recovery's review path: the name, a recent order, the old number and what happened go
to an agent, who decides."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.domain.phones import InvalidPhone, parse_phone
from bot.domain.values import MessageKind
from bot.services.orders import parse_number
from bot.services.recovery import Evidence, RecoveryService, TooManyRecoveries, normal_name
from bot.services.tickets import Banned, Written
from bot.settings import Settings
from bot.telegram.i18n import Texts
from bot.telegram.states import Recovery
from handlers.convert import person
from handlers.recovery import flow
from handlers.recovery.prompts import ask_new_phone

steps = flow.in_flow  # the flow's steps: behind its state check
_NAME_LIMIT = 100
_NAME_LEAST = 2  # letters: a one-letter "name" matches nothing worth checking
_ECHO_LIMIT = 40  # how much of a bad input we quote back


@steps.message(Recovery.name, F.text)
async def name_entered(message: Message, state: FSMContext, t: Texts) -> None:
    name = " ".join((message.text or "").split())
    letters = normal_name(name).replace(" ", "")
    if len(letters) < _NAME_LEAST or len(name) > _NAME_LIMIT or name.startswith("/"):
        await message.answer(t("recover-name-invalid"))
        return
    await state.update_data(name=name)
    await state.set_state(Recovery.order)
    await message.answer(t("recover-ask-order"))


@steps.message(Recovery.order, F.text)
async def order_entered(message: Message, state: FSMContext, t: Texts) -> None:
    number = parse_number(message.text or "")
    if number is None:
        await message.answer(t("recover-order-invalid"))
        return
    await state.update_data(order=number)
    await state.set_state(Recovery.old_phone)
    await message.answer(t("recover-ask-old-phone"))


@steps.message(Recovery.old_phone, F.text)
async def old_phone_entered(
    message: Message, state: FSMContext, t: Texts, settings: Settings
) -> None:
    try:
        old_phone = parse_phone(message.text or "", settings.phone_region)
    except InvalidPhone:
        await message.answer(t("login-phone-invalid", text=(message.text or "")[:_ECHO_LIMIT]))
        return
    await state.update_data(old_phone=old_phone)
    if (await state.get_data()).get("new_phone"):
        await state.set_state(Recovery.description)
        await message.answer(t("recover-ask-description"))
        return
    await ask_new_phone(message, state, t)


@steps.message(Recovery.description, F.text)
async def description_entered(
    message: Message, state: FSMContext, t: Texts, recovery: RecoveryService
) -> None:
    data = await state.get_data()
    await state.clear()
    evidence = Evidence(
        data.get("name", ""), data.get("order", ""), data.get("old_phone", ""), message.text or ""
    )
    summary = Written(MessageKind.TEXT, message.chat.id, message.message_id, text=message.text)
    try:
        _, opened = await recovery.open_review(
            person(message), data.get("new_phone", ""), evidence, t.locale, summary
        )
    except TooManyRecoveries:
        await message.answer(t("recover-too-many", hotline=t("help-hotline")))
        return
    except Banned:
        await message.answer(t("support-banned", hotline=t("help-hotline")))
        return
    await message.answer(t("recover-review-sent", id=opened.ticket.id))
