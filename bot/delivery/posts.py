"""Which Bot API calls post messages: those are paced; edits, reactions and topic
changes are not."""

from __future__ import annotations

from aiogram.methods import (
    CopyMessage,
    CopyMessages,
    ForwardMessage,
    ForwardMessages,
    SendAnimation,
    SendAudio,
    SendContact,
    SendDice,
    SendDocument,
    SendLocation,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SendPoll,
    SendSticker,
    SendVenue,
    SendVideo,
    SendVideoNote,
    SendVoice,
)

POSTING = (
    SendMessage,
    SendPhoto,
    SendDocument,
    SendVideo,
    SendAudio,
    SendVoice,
    SendAnimation,
    SendSticker,
    SendVideoNote,
    SendMediaGroup,
    SendContact,
    SendLocation,
    SendVenue,
    SendPoll,
    SendDice,
    CopyMessage,
    CopyMessages,
    ForwardMessage,
    ForwardMessages,
)
