import pytest

from bot.domain.clock import FrozenClock
from bot.services.customers import CustomerService, UnknownLocale
from bot.telegram.i18n import Translator
from storage.customers import Customer, CustomerRepo
from storage.db import Database


def _service(db: Database, clock: FrozenClock) -> CustomerService:
    return CustomerService(CustomerRepo(db), Translator("ru"), clock)


def _profile(language: str | None = "en", name: str = "Anna") -> Customer:
    return Customer(7, name, None, "anna", language, None)


async def test_new_customer_speaks_their_telegram_language(
    db: Database, clock: FrozenClock
) -> None:
    service = _service(db, clock)
    customer = await service.seen(_profile("en-US"))
    assert service.locale_of(customer) == "en"
    assert service.locale_of(await service.seen(_profile("uk"))) == "ru"


async def test_chosen_locale_outlives_profile_changes(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await service.seen(_profile("en"))
    await service.choose_locale(7, "ru")
    customer = await service.seen(_profile("en", name="Anna K."))
    assert customer.first_name == "Anna K."
    assert service.locale_of(customer) == "ru"


async def test_unknown_locale_is_refused(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await service.seen(_profile())
    with pytest.raises(UnknownLocale):
        await service.choose_locale(7, "de")


async def test_everyone_who_wrote_is_listed_by_id(db: Database, clock: FrozenClock) -> None:
    service = _service(db, clock)
    await service.seen(Customer(9, "Boris", None, None, "ru", None))
    await service.seen(_profile())
    assert [(c.telegram_id, c.first_name) for c in await service.everyone()] == [
        (7, "Anna"),
        (9, "Boris"),
    ]
