"""Who is writing, and in which language we answer them."""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.values import Locale
from bot.telegram.i18n import Translator
from storage.customers import Customer, CustomerRepo


class UnknownLocale(ValueError):
    pass


class CustomerService:
    def __init__(self, repo: CustomerRepo, translator: Translator, clock: Clock) -> None:
        self._repo = repo
        self._translator = translator
        self._clock = clock

    async def seen(self, profile: Customer) -> Customer:
        """Record the Telegram profile as it is now; keep the customer's chosen locale."""
        stored = await self._repo.get(profile.telegram_id)
        if stored is not None and _same_profile(stored, profile):
            return stored
        await self._repo.save_profile(profile, self._clock.now())
        return Customer(
            profile.telegram_id,
            profile.first_name,
            profile.last_name,
            profile.username,
            profile.language_code,
            stored.locale if stored else None,
        )

    async def everyone(self) -> list[Customer]:
        """Everyone who ever wrote to the bot, lowest Telegram id first."""
        return await self._repo.everyone()

    def locale_of(self, customer: Customer) -> Locale:
        return self._translator.pick(customer.locale, customer.language_code)

    async def choose_locale(self, telegram_id: int, locale: str) -> Locale:
        chosen = Locale.of(locale)
        if chosen is None:
            raise UnknownLocale(locale)
        await self._repo.set_locale(telegram_id, chosen, self._clock.now())
        return chosen


def _same_profile(a: Customer, b: Customer) -> bool:
    return (a.first_name, a.last_name, a.username, a.language_code) == (
        b.first_name,
        b.last_name,
        b.username,
        b.language_code,
    )
