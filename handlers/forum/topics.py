"""What a message in an agents' forum is about: the ticket whose topic it is in."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message

from bot.services.tickets import TicketService
from storage.tickets import Ticket


class InTicket(Filter):
    """A message inside a ticket's topic; hands the ticket to the handler."""

    async def __call__(self, message: Message, tickets: TicketService) -> bool | dict[str, Ticket]:
        if not message.is_topic_message or message.message_thread_id is None:
            return False
        ticket = await tickets.by_topic(message.chat.id, message.message_thread_id)
        return {"ticket": ticket} if ticket is not None else False
