"""The customer's side of the relay: the agents' replies, headed and in the customer's
language, and the copies following the agents' edits."""

from __future__ import annotations

from functools import partial

from aiogram import Bot

from bot.delivery.merging import in_words
from bot.delivery.send import CAPTIONED, Resume, caption_of, send_stored, text_parts, unless
from bot.domain.values import MessageKind
from bot.services.tickets import TicketService
from bot.telegram.i18n import Texts, Translator
from storage.messages import MessageRepo, TicketMessage
from storage.tickets import Ticket


class CustomerSide:
    def __init__(
        self,
        bot: Bot,
        repo: MessageRepo,
        tickets: TicketService,
        translator: Translator,
        agents: Texts,
        *,
        sign: bool,
    ) -> None:
        self._bot, self._repo, self._tickets = bot, repo, tickets
        self._translator, self._agents_t, self._sign = translator, agents, sign

    async def send(
        self, ticket: Ticket, batch: list[TicketMessage], resume: Resume
    ) -> list[list[int]] | None:
        """Send a reply (the ids of the messages each item became), or apply an edit."""
        first = batch[0]
        if first.kind == MessageKind.EDIT:
            await self._edit_copy(ticket, first)
            return None
        t = self._translator(ticket.locale)
        return await send_stored(
            self._bot,
            ticket.customer_id,
            None,
            batch,
            self._header(ticket, first.author_name),
            describe=partial(in_words, t),
            resume=resume,
        )

    async def _edit_copy(self, ticket: Ticket, edit: TicketMessage) -> None:
        """An agent edited a reply: the customer's copy follows. It comes after the reply
        in the ticket's queue, so the copy exists by now (unless it never could)."""
        original = await self._repo.get(edit.edit_of) if edit.edit_of else None
        if original is None or original.relayed_id is None:
            return
        chat, lead = ticket.customer_id, self._header(ticket, original.author_name)
        lead = f"{lead}\n"
        if original.kind in CAPTIONED:
            if original.media_group_id and await self._repo.album_head(original) != original.id:
                lead = ""  # only an album's first item carries the header
            caption = caption_of(lead, edit.text)
            with unless("message is not modified"):
                await self._bot.edit_message_caption(
                    chat_id=chat, message_id=original.relayed_id, caption=caption
                )
            return
        if original.kind != MessageKind.TEXT:
            return  # a sticker, a location...: nothing a Telegram client lets one edit
        copies = original.relayed_ids or (original.relayed_id,)
        parts = text_parts(lead, edit.text or "")
        if len(parts) != len(copies):
            # A long reply went in parts; the edit would need more, or fewer, of them.
            await self._tickets.event(
                ticket.id, self._agents_t("agents-edit-not-followed", parts=len(copies))
            )
            return
        for part, copy in zip(parts, copies, strict=True):
            with unless("message is not modified"):  # the parts the edit did not touch
                await self._bot.edit_message_text(part, chat_id=chat, message_id=copy)

    def _header(self, ticket: Ticket, agent_name: str | None) -> str:
        t = self._translator(ticket.locale)
        if self._sign and agent_name:
            return t("support-agent-says", name=agent_name)
        return t("support-team-says")
