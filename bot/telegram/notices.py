"""What the bot tells people on its own, for the services: rendered from the locales and
queued in the outbox, in the caller's transaction."""

from __future__ import annotations

import logging

from bot.delivery.outbox import Outbox
from bot.domain.phones import mask
from bot.domain.values import Channel
from bot.keyboards.recovery import cancel_change
from bot.telegram.i18n import Texts, Translator
from bot.telegram.text_keys import NOTICES
from storage.recovery import Recovery

log = logging.getLogger(__name__)


def due_date(recovery: Recovery) -> str:
    """The day a scheduled change is applied, as every recovery text shows it."""
    return recovery.due_at.strftime("%d.%m.%Y") if recovery.due_at else "—"


class FloodNotice:
    """A chat logged in to the account hears that its phone or email is flooded
    (``services.login.FloodHook``)."""

    def __init__(self, outbox: Outbox, translator: Translator) -> None:
        self._outbox, self._translator = outbox, translator

    async def __call__(self, chat_id: int, shown: str) -> None:
        t = self._translator(self._translator.default)
        await self._outbox.put(chat_id, t("login-flood-chat", shown=shown))


class RecoveryNotices:
    """What people hear of a phone change (``services.recovery.Notices``)."""

    def __init__(self, outbox: Outbox, translator: Translator, forum_id: int | None) -> None:
        self._outbox, self._translator, self._support = outbox, translator, forum_id

    def _t(self, recovery: Recovery) -> Texts:
        return self._translator(recovery.locale)

    async def old_chat(self, chat_id: int, recovery: Recovery, applied: bool) -> None:
        """With a way to stop it, or, once done, with whom to turn to."""
        t, phone = self._t(recovery), mask(recovery.new_phone)
        if applied:
            text = t("recover-old-chat-changed", phone=phone, hotline=t("help-hotline"))
            await self._outbox.put(chat_id, text)
            return
        await self._outbox.put(
            chat_id,
            t("recover-old-chat", phone=phone, date=due_date(recovery)),
            cancel_change(t, recovery.id, key="recover-btn-not-me"),
            recovery_id=recovery.id,
        )

    async def contact(self, destination: str, recovery: Recovery, applied: bool) -> bool:
        if not self._outbox.reaches(destination):
            log.info("recovery %s: no channel to warn %s", recovery.id, mask(destination))
            return False
        t = self._t(recovery)
        key = "recover-changed" if applied else "recover-notice"
        args = {"date": due_date(recovery), "phone": mask(recovery.new_phone)}
        subject, body = NOTICES[key][Channel.EMAIL if "@" in destination else Channel.SMS]
        await self._outbox.put_contact(
            destination,
            t.plain(subject) if subject else "",
            t.plain(body, **args),
            # Once applied, nothing waits for it; a warning ahead of it holds the change.
            recovery_id=None if applied else recovery.id,
        )
        return True

    async def applied(self, recovery: Recovery) -> None:
        t = self._t(recovery)
        await self._outbox.put(
            recovery.telegram_id, t("recover-applied", phone=mask(recovery.new_phone))
        )

    async def logged_out(self, chat_id: int, recovery: Recovery) -> None:
        t = self._t(recovery)
        text = t("recover-logged-out", phone=mask(recovery.new_phone), hotline=t("help-hotline"))
        await self._outbox.put(chat_id, text)

    async def lost(self, recovery: Recovery, whom: str, reason: str) -> None:
        if self._support is None:
            log.warning("recovery %s: warning to %s lost (%s)", recovery.id, whom, reason)
            return
        t = self._translator(self._translator.default)
        text = t(
            "agents-recovery-notice-lost",
            id=recovery.id,
            account=recovery.account_id or "—",
            whom=whom,
            reason=reason,
            date=due_date(recovery),
            ticket=recovery.ticket_id or "—",
        )
        await self._outbox.put(self._support, text)
