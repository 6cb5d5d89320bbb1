"""The number change once decided (bot/services/phone_change.py): the old contacts warned
ahead of it, and applied once, when due and warned, through the recovery service."""

from datetime import timedelta

import pytest

from bot.domain.clock import FrozenClock
from storage.db import Database
from tests.unit.test_recovery import NEW, World


@pytest.fixture
async def world(db: Database, clock: FrozenClock) -> World:
    w = World(db, clock)
    await w.seed()
    return w


async def test_scheduling_queues_a_warning_to_every_old_contact(world: World) -> None:
    await world.link_old_chat(42)
    recovery = await world.scheduled()
    assert recovery.due_at == world.clock.now() + timedelta(days=14)
    warned = [whom for whom, _ in await world.pending()]
    assert warned == ["anna@example.com", "+79123456789", "42"]


async def test_a_change_waits_until_its_warnings_are_delivered(world: World) -> None:
    await world.scheduled()
    world.clock.advance(days=14)
    assert await world.service.apply_due() == []  # the old owner has not been told yet
    assert (await world.market.account("A1")).phone == "+79123456789"  # type: ignore[union-attr]
    await world.deliver_all()
    assert [r.new_phone for r in await world.service.apply_due()] == [NEW]


async def test_due_change_applies_once_and_links_the_chat(world: World) -> None:
    await world.scheduled()
    await world.deliver_all()
    assert await world.service.apply_due() == []
    world.clock.advance(days=14)
    applied = await world.service.apply_due()
    assert [r.new_phone for r in applied] == [NEW]
    assert (await world.market.account("A1")).phone == NEW  # type: ignore[union-attr]
    assert await world.customers.linked_account(7, world.clock.now()) == "A1"
    assert await world.service.apply_due() == []
    told = [text for whom, text in await world.pending() if whom == "7"]
    assert len(told) == 1 and told[0].startswith("Номер аккаунта сменён")  # told once


async def test_an_applied_change_logs_out_the_old_number_chats_and_tells_them_why(
    world: World,
) -> None:
    await world.link_old_chat(42)
    await world.scheduled()
    await world.deliver_all()
    world.clock.advance(days=14)
    await world.service.apply_due()
    assert await world.customers.linked_account(42, world.clock.now()) is None
    told = [text for whom, text in await world.pending() if whom == "42"]
    assert len(told) == 1 and "вышли из аккаунта" in told[0]
    # the old email and SIM hear it is done; nothing waits for that
    done = {whom for whom, _ in await world.pending()}
    assert {"anna@example.com", "+79123456789"} <= done


async def test_immediate_approval_applies_once_the_old_contacts_are_warned(
    db: Database, clock: FrozenClock
) -> None:
    world = World(db, clock, immediate=True)
    await world.seed()
    recovery = await world.review()
    await world.link_old_chat(42)
    await world.service.approve(recovery.id, 9001)
    assert await world.service.apply_due() == []  # warned first, with a way to stop it
    warned = await world.pending()
    assert [w for w, _ in warned] == ["anna@example.com", "+79123456789", "42"]
    await world.deliver_all()
    await world.service.apply_due()
    assert (await world.market.account("A1")).phone == NEW  # type: ignore[union-attr]
