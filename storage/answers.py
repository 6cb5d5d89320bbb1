"""Calls to Telegram a handler made, kept until they are sent."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database, Row

_ADD = """
INSERT INTO answers (update_id, method, body) VALUES (:update_id, :method, :body) RETURNING id
"""
_SENT = "DELETE FROM answers WHERE id = :id"
_ALL = "SELECT id, update_id, method, body FROM answers ORDER BY id"
_OF_UPDATE = "SELECT id, update_id, method, body FROM answers WHERE update_id = :id ORDER BY id"


@dataclass(frozen=True)
class Answer:
    id: int
    update_id: int
    method: str
    body: str


class AnswerRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, update_id: int, method: str, body: str) -> int:
        params = {"update_id": update_id, "method": method, "body": body}
        return await self._db.insert(_ADD, params)

    async def sent(self, answer_id: int) -> None:
        await self._db.execute(_SENT, {"id": answer_id})

    async def all(self) -> list[Answer]:
        return _answers(await self._db.fetchall(_ALL))

    async def of_update(self, update_id: int) -> list[Answer]:
        return _answers(await self._db.fetchall(_OF_UPDATE, {"id": update_id}))


def _answers(rows: list[Row]) -> list[Answer]:
    return [Answer(r["id"], r["update_id"], r["method"], r["body"]) for r in rows]
