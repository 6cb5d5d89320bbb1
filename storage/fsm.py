"""aiogram FSM storage on SQLite: a conversation survives a restart of the bot."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from storage.db import Database

_GET = "SELECT state, data FROM fsm WHERE key = :key"
_SET_STATE = """
INSERT INTO fsm (key, state, updated_at) VALUES (:key, :state, :now)
ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
"""
_SET_DATA = """
INSERT INTO fsm (key, data, updated_at) VALUES (:key, :data, :now)
ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
"""
_CLEAR_STATE = "UPDATE fsm SET state = NULL, updated_at = :now WHERE key = :key"
_CLEAR_DATA = "UPDATE fsm SET data = '{}', updated_at = :now WHERE key = :key"
# Rows with neither state nor data carry nothing; keep the table small.
_PRUNE = "DELETE FROM fsm WHERE key = :key AND state IS NULL AND data = '{}'"


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self._db = db
        self._keys = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        if value is None:
            await self._clear(_CLEAR_STATE, key)
        else:
            await self._write(_SET_STATE, key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row[0] if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        if not data:
            await self._clear(_CLEAR_DATA, key)
        else:
            await self._write(_SET_DATA, key, data=json.dumps(data, ensure_ascii=False))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return json.loads(row[1]) if row else {}

    async def close(self) -> None:
        """The connection belongs to the app, which closes it."""

    async def _read(self, key: StorageKey) -> tuple[str | None, str] | None:
        row = await self._db.fetchone(_GET, {"key": self._keys.build(key)})
        return (row[0], row[1]) if row else None

    # One statement each, no transaction: aiogram handles one update per chat at a time,
    # so nothing else writes this key in between, and a row left empty is pruned later.
    async def _write(self, sql: str, key: StorageKey, **values: object) -> None:
        await self._db.execute(sql, self._params(key, **values))

    async def _clear(self, sql: str, key: StorageKey) -> None:
        params = self._params(key)
        if (await self._db.execute(sql, params)).rowcount:
            await self._db.execute(_PRUNE, params)

    def _params(self, key: StorageKey, **values: object) -> dict[str, object]:
        return {"key": self._keys.build(key), "now": datetime.now(UTC).isoformat(), **values}
