# ruff: noqa: RUF001 - Russian test data, as customers write it
"""Simulated customers in a closed loop: each sends, waits for the reply, sends the next.

One exchange is one update pushed to the emulator and the bot's reply (a message or,
for a message into an open ticket, the 👌 reaction) in the same chat. Its latency runs
from the push to the first reply; the customer waits for all the replies the step
produces before the next step, so a chat never runs ahead of the bot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import FORUM_LINE, CodeBox, Reply, ReplyTracker, Stats, tag
from emulator import BotApiEmulator, SimUser

PARTS = ("start", "login", "orders", "support")
FIRST_USER_ID = 200_000
MAX_CUSTOMERS = 9_999  # phones are +7999000NNNN
ORDERS_PER_CUSTOMER = 3
_REPLIES_AFTER_CODE = 2  # the welcome and the menu
_REPLIES_TO_ORDER_CARD = 1  # the card, with the problems to choose from under it


class ExchangeFailed(Exception):
    pass


@dataclass
class Load:
    emu: BotApiEmulator
    tracker: ReplyTracker
    timeout: float
    codes: CodeBox | None = None
    forum_id: int | None = None
    agent: SimUser | None = None
    stats: Stats = field(default_factory=Stats)
    expected_replies: int = 0
    expected_forum_lines: int = 0  # the load is done when the forum has them all


@dataclass(frozen=True)
class Customer:
    index: int
    user_id: int
    name: str
    phone: str
    language: str

    @property
    def account_id(self) -> str:
        return f"B{self.index:05d}"


def customers(count: int) -> list[Customer]:
    return [
        Customer(
            index=i,
            user_id=FIRST_USER_ID + i,
            name=f"Покупатель {i:04d}" if i % 2 else f"Customer {i:04d}",
            phone=f"+7999000{i:04d}",
            language="ru" if i % 2 else "en",
        )
        for i in range(1, count + 1)
    ]


def add_users(emu: BotApiEmulator, people: list[Customer]) -> list[SimUser]:
    return [
        emu.add_user(c.user_id, c.name, username=f"cust{c.index}", language_code=c.language)
        for c in people
    ]


def market_data(people: list[Customer]) -> dict[str, Any]:
    """MARKETPLACE_DATA: one account per customer, a few orders each."""
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    statuses = ("in_transit", "delivered", "paid")
    accounts, orders = [], []
    for c in people:
        accounts.append(
            {
                "id": c.account_id,
                "name": c.name,
                "phone": c.phone,
                "email": f"cust{c.index}@example.com",
                "email_verified": True,
            }
        )
        for k in range(ORDERS_PER_CUSTOMER):
            created = today - timedelta(days=3 + 7 * k)
            price = 990 + 150 * k
            orders.append(
                {
                    "number": f"{70000000 + c.index:08d}-{k + 1:04d}",
                    "account_id": c.account_id,
                    "status": statuses[k % len(statuses)],
                    "created_at": created.isoformat(),
                    "delivery_eta": (created + timedelta(days=5)).date().isoformat(),
                    "pickup_point": "Москва, ул. Ленина, 1",
                    "items": [
                        {"sku": f"{1000 + k}", "title": "Чайник", "qty": 1, "price": price},
                        {"sku": "2001", "title": "Кружка", "qty": 2, "price": 250},
                    ],
                    "total": price + 500,
                    "payment": "card",
                }
            )
    return {"accounts": accounts, "orders": orders}


def write_market(path: Path, people: list[Customer]) -> None:
    path.write_text(json.dumps(market_data(people), ensure_ascii=False), "utf-8")


def normalise_mix(parts: list[str]) -> frozenset[str]:
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown --mix parts {sorted(unknown)}; use some of {','.join(PARTS)}")
    mix = set(parts)
    if "orders" in mix:
        mix.add("login")  # orders are shown to logged-in customers only
    return frozenset(mix)


def exchanges_per_customer(mix: frozenset[str], messages: int) -> int:
    """How many updates one customer's scenario pushes (the agent's reply included)."""
    count = 0
    count += 1 if "start" in mix else 0
    count += 3 if "login" in mix else 0  # /login, the phone, the code
    count += 2 if "orders" in mix else 0  # /orders, a tap on an order
    count += 3 if "support" in mix else 0  # /support, the description, the agent's reply
    return count + messages


async def exchange(
    load: Load,
    chat_id: int,
    step: str,
    action: Callable[[], Awaitable[object]],
    expect: int = 1,
) -> list[Reply]:
    """Push one update and wait for ``expect`` replies in ``chat_id``."""
    start = load.tracker.mark(chat_id)
    pushed = time.perf_counter()
    load.stats.pushed(pushed)
    load.expected_replies += expect
    await action()
    try:
        replies = await load.tracker.wait(chat_id, start, expect, load.timeout)
    except TimeoutError:
        got = load.tracker.count(chat_id) - start
        raise ExchangeFailed(
            f"chat {chat_id} step {step}: {got} of {expect} replies within {load.timeout:g}s"
        ) from None
    load.stats.record(step, replies[0].at - pushed, replies[-1].at)
    return replies


def _callback(reply: Reply, prefix: str) -> tuple[int, str]:
    message = reply.message
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for button in row:
            data = str(button.get("callback_data") or "")
            if data.startswith(prefix):
                return int(message["message_id"]), data
    raise ExchangeFailed(f"no button {prefix}* on the bot's message: {message.get('text')!r}")


async def support_customer(
    load: Load, user: SimUser, customer: Customer, mix: frozenset[str], messages: int
) -> None:
    """The support bot's scenario for one customer."""
    chat = user.id

    async def step(name: str, action: Callable[[], Awaitable[object]], expect: int = 1) -> Reply:
        return (await exchange(load, chat, name, action, expect))[0]

    if "start" in mix:
        await step("start", lambda: user.send("/start"))
    if "login" in mix:
        await login(load, user, customer, step)
    if "orders" in mix:
        listing = await step("orders", lambda: user.send("/orders"))
        message_id, data = _callback(listing, "or:")
        await step("order_card", lambda: user.click(message_id, data), _REPLIES_TO_ORDER_CARD)
    if "support" in mix:
        await ticket(load, user, messages, step)
    else:
        for k in range(messages):
            await step("text", lambda k=k: user.send(f"Привет! Вопрос номер {k + 1}"))


StepFn = Callable[..., Awaitable[Reply]]


async def login(load: Load, user: SimUser, customer: Customer, step: StepFn) -> None:
    assert load.codes is not None  # noqa: S101 - run.py always gives the support bot a CodeBox
    await step("login", lambda: user.send("/login"))
    await step("login_phone", lambda: user.send(customer.phone))
    try:
        code = await load.codes.code_for(customer.phone, load.timeout)
    except TimeoutError:
        raise ExchangeFailed(
            f"no SMS code for {customer.phone} within {load.timeout:g}s"
        ) from None
    await step("login_code", lambda: user.send(code), _REPLIES_AFTER_CODE)


async def ticket(load: Load, user: SimUser, messages: int, step: StepFn) -> None:
    assert load.agent is not None and load.forum_id is not None  # noqa: S101
    agent, forum = load.agent, load.forum_id
    await step("support", lambda: user.send("/support"))
    description = f"{tag(user.id)} Посылка не пришла, трек не обновляется третий день"
    await step("ticket_open", lambda: user.send(description))
    for k in range(messages):
        text = f"{FORUM_LINE} {k + 1}: коробку так и не привезли, жду уже неделю"
        await step("ticket_message", lambda text=text: user.send(text))
    try:
        topic = await load.tracker.wait_topic(user.id, load.timeout)
    except TimeoutError:
        raise ExchangeFailed(f"no topic for customer {user.id} within {load.timeout:g}s") from None
    answer = "Здравствуйте! Уже проверяем, вернусь с ответом в течение часа."
    # The agent's update goes to the forum; the reply to wait for is in the customer's chat.
    await step("agent_reply", lambda: agent.send_in_topic(forum, topic, answer))


async def baseline_customer(load: Load, user: SimUser, messages: int) -> None:
    for k in range(messages):
        await exchange(load, user.id, "text", lambda k=k: user.send(f"Привет! Сообщение {k + 1}"))


async def drive(load: Load, runs: list[Awaitable[None]], deadline: float) -> None:
    """Run every customer at once; a failed customer is counted, the others go on."""

    async def guarded(run: Awaitable[None]) -> None:
        try:
            await run
        except ExchangeFailed as error:
            load.stats.failed(str(error))

    try:
        async with asyncio.timeout(deadline):
            await asyncio.gather(*(guarded(r) for r in runs))
    except TimeoutError:
        load.stats.failed(f"the load run hit its {deadline:g}s limit (--max-seconds)")
