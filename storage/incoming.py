"""Updates taken from Telegram, kept until they are handled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database

_ADD = """
INSERT INTO incoming (update_id, body) VALUES (:id, :body)
ON CONFLICT (update_id) DO UPDATE SET body = excluded.body, handled = 0, starts = 0
"""
_FORGET_HANDLED = "DELETE FROM incoming WHERE handled = 1 AND update_id < :below"
_HANDLED = "UPDATE incoming SET handled = 1 WHERE update_id = :id"
_TURN = "UPDATE incoming SET starts = starts + 1 WHERE update_id = :id"
_LET_GO = "UPDATE incoming SET handled = 2 WHERE update_id = :id"
_ALL = "SELECT update_id, body, handled, starts FROM incoming ORDER BY update_id"
_HANDLED_OF = "SELECT handled FROM incoming WHERE update_id = :id"


@dataclass(frozen=True)
class Kept:
    update_id: int
    body: str  # the update as Telegram's JSON
    handled: bool  # or let go
    starts: int  # replays that got as far as its handlers


class IncomingRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(self, fresh: Sequence[tuple[int, str]]) -> None:
        await self._db.executemany(_ADD, [{"id": i, "body": b} for i, b in fresh])

    async def handled(self, done: Sequence[int]) -> None:
        await self._db.executemany(_HANDLED, [{"id": i} for i in done])

    async def forget(self, *, confirmed_below: int) -> None:
        """Handled updates Telegram confirmed go; the others stay, marked, until it
        has: it may send them again."""
        await self._db.execute(_FORGET_HANDLED, {"below": confirmed_below})

    async def all(self) -> list[Kept]:
        rows = await self._db.fetchall(_ALL)
        return [Kept(r["update_id"], r["body"], bool(r["handled"]), r["starts"]) for r in rows]

    async def committed(self, update_id: int) -> bool:
        """Whether the update's handler committed: marked handled, or forgotten (which
        only a handled one is)."""
        row = await self._db.fetchone(_HANDLED_OF, {"id": update_id})
        return row is None or row["handled"] == 1

    async def turn_taken(self, update_id: int) -> None:
        """A replayed update reached its handlers (its chat's earlier ones are done)."""
        await self._db.execute(_TURN, {"id": update_id})

    async def let_go(self, update_id: int) -> None:
        """Never handled, and never replayed again: kept for someone to look at."""
        await self._db.execute(_LET_GO, {"id": update_id})
