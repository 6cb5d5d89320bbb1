"""Plain requests outside any flow ("where is my order", "I changed my number") lead to
the flow that answers them, as its command would."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.ports.marketplace import Account
from bot.services.orders import OrderService
from bot.services.recovery import RecoveryService
from bot.settings import Settings
from bot.telegram.filters import Says
from bot.telegram.i18n import Texts
from handlers.orders import cmd_orders
from handlers.recovery.start import cmd_recover

router = Router(name=__name__)


@router.message(StateFilter(None), Says("orders-request-words"))
async def orders_asked(
    message: Message,
    state: FSMContext,
    t: Texts,
    orders: OrderService,
    account: Account | None,
) -> None:
    await cmd_orders(message, state, t, orders, account)


@router.message(StateFilter(None), Says("recover-request-words"))
async def recovery_asked(
    message: Message,
    state: FSMContext,
    t: Texts,
    recovery: RecoveryService,
    settings: Settings,
) -> None:
    await cmd_recover(message, state, t, recovery, settings)
