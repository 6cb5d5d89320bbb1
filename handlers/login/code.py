"""Login's last step: the code, and help when it does not arrive."""

from __future__ import annotations

from aiogram import F
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.domain.values import Channel
from bot.keyboards.login import LoginAction, LoginCb, new_code, no_code
from bot.services.codes import CodeBurned, CodeExpired, CodeWrong, NoCode, NotACode
from bot.services.login import LoginService
from bot.services.orders import OrderService
from bot.telegram.filters import TextButton
from bot.telegram.i18n import Texts
from bot.telegram.states import Login
from handlers.login import flow
from handlers.login.prompts import ask_email, not_a_code, send_code
from handlers.menu import show_menu
from handlers.orders_views import show_orders
from handlers.taps import alert

router, steps = flow.router, flow.in_flow  # the flow's steps: behind its state check
_RESEND = {LoginAction.BY_CALL: Channel.CALL, LoginAction.BY_SMS: Channel.SMS}


@steps.message(Login.code, TextButton("login-btn-no-code"))
async def no_code_asked(
    message: Message, state: FSMContext, t: Texts, login: LoginService
) -> None:
    data = await state.get_data()
    wait = await login.cooldown_left(message.chat.id)
    await message.answer(
        t("login-no-code-tips", shown=data.get("shown", "")),
        reply_markup=no_code(t, Channel.of(data.get("channel")) or Channel.SMS, wait),
    )


@steps.message(Login.code, F.text)
async def code_entered(
    message: Message, state: FSMContext, t: Texts, login: LoginService, orders: OrderService
) -> None:
    data = await state.get_data()
    try:
        account = await login.confirm(message.chat.id, message.text or "")
    except (NotACode, CodeWrong) as error:
        await message.answer(not_a_code(t, error))
        return
    except (CodeExpired, CodeBurned, NoCode) as error:
        key = {CodeExpired: "login-code-expired", CodeBurned: "login-code-burned"}.get(
            type(error), "login-code-none"
        )
        await message.answer(t(key), reply_markup=new_code(t))
        return
    await state.clear()
    await show_menu(
        message, t, account, t("login-welcome", name=account.name), drop_reply_keyboard=True
    )
    if data.get("then") == "orders":  # the customer came here from "My orders"
        await show_orders(message, t, orders, account)


@steps.message(Login.code)
async def code_invalid(message: Message, state: FSMContext, t: Texts) -> None:
    length = int((await state.get_data()).get("length", 6))
    await message.answer(t("login-code-only-digits", length=length))


@router.callback_query(Login.code, LoginCb.filter())
async def no_code_action(
    query: CallbackQuery,
    callback_data: LoginCb,
    state: FSMContext,
    t: Texts,
    login: LoginService,
    callback_answer: CallbackAnswer,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        return
    action = callback_data.action
    if action == LoginAction.NO_CODE:
        await no_code_asked(message, state, t, login)
    elif action == LoginAction.BY_EMAIL:
        await ask_email(message, state, t)
    elif action == LoginAction.LOST_NUMBER:
        callback_answer.disable()  # access recovery takes it from here, and answers it
        raise SkipHandler
    else:
        await _send_again(message, action, state, t, login, callback_answer)


async def _send_again(
    message: Message,
    action: LoginAction,
    state: FSMContext,
    t: Texts,
    login: LoginService,
    callback_answer: CallbackAnswer,
) -> None:
    data = await state.get_data()
    channel = _RESEND.get(action, Channel.of(data.get("channel")))
    destination = data.get("destination", "")
    # An old button must not send a call to an email address, or anything to nowhere.
    if not (channel and destination) or ("@" in destination) != (channel == Channel.EMAIL):
        alert(callback_answer, t("button-stale"))
        return
    await send_code(
        message,
        state,
        t,
        login,
        channel=channel,
        destination=destination,
        callback_answer=callback_answer,
    )
