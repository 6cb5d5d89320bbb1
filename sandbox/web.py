"""The sandbox page and its JSON API: customers, agents and the inbox in one browser tab.

Every error an API call can cause is answered as ``{"error": "..."}``: 400 for bad
input, 404 for an unknown path, 500 (logged) for a bug; never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator import SimulationError
from sandbox.demo import STRANGER_ID, foreign_phone
from sandbox.views import chat_messages, forum_view, reply_keyboard

if TYPE_CHECKING:
    from sandbox.runner import Sandbox

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_CALLBACK_LIMIT = 64
_NAME_LIMIT = 64
MEDIA_KINDS = ("sticker", "document", "voice", "album")
_ALBUM_SIZE = 3
_LANGUAGE = re.compile(r"^[a-z]{2}$")
# A comment line keeps idle streams alive through proxies and reveals closed pages.
_KEEPALIVE_SECONDS = 15
_json = partial(web.json_response, dumps=partial(json.dumps, ensure_ascii=False, default=str))
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadInput(Exception):
    """The request is wrong; the message tells the caller what to fix."""


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (BadInput, SimulationError) as error:
        return _json({"error": str(error)}, status=400)
    except web.HTTPException as error:
        if error.status < 400:  # noqa: PLR2004 - redirects pass through untouched
            raise
        return _json({"error": error.reason}, status=error.status)
    except Exception:
        log.exception("sandbox request %s %s failed", request.method, request.path)
        return _json({"error": "internal error; the console has the details"}, status=500)


def build_web(sandbox: Sandbox) -> web.Application:
    api = _Api(sandbox)
    app = web.Application(middlewares=[_errors], client_max_size=256 * 1024)
    app.router.add_get("/", api.index)
    app.router.add_static("/static", STATIC)
    app.router.add_get("/api/state", api.state)
    app.router.add_get("/api/events", api.events)
    app.router.add_post("/api/customers", api.new_customer)
    app.router.add_post("/api/send", api.send)
    app.router.add_post("/api/contact", api.contact)
    app.router.add_post("/api/photo", api.photo)
    app.router.add_post("/api/media", api.media)
    app.router.add_post("/api/click", api.click)
    app.router.add_post("/api/agent", api.agent)
    return app


class _Api:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def state(self, request: web.Request) -> web.Response:
        s = self.sandbox
        chats = [*s.customers, s.forum_id]
        return _json(
            {
                "customers": [c.to_json() for c in s.customers.values()],
                "agents": [a.to_json() for a in s.agents.values()],
                "forum": forum_view(s.emu, s.forum_id),
                "messages": {str(chat): chat_messages(s.emu, chat) for chat in chats},
                "keyboards": {str(c): reply_keyboard(s.emu, c) for c in s.customers},
                "inbox": list(reversed(s.inbox.items)),
            }
        )

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        with contextlib.suppress(ConnectionError), self.sandbox.feed.listen() as queue:
            await response.write(b'data: {"type": "hello"}\n\n')
            while True:
                try:
                    line = await asyncio.wait_for(queue.get(), _KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if line is None:
                    break
                await response.write(f"data: {line}\n\n".encode())
        return response

    async def new_customer(self, request: web.Request) -> web.Response:
        body = await _body(request)
        name = _text(body, "name", _NAME_LIMIT)
        language = body.get("language", "ru")
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            raise BadInput("'language' must be a two-letter code such as ru or en")
        if self.sandbox.app is None:
            # Customers of an earlier run are not back yet: a new one could take an old id.
            raise BadInput("the sandbox is still starting; try again in a moment")
        try:
            customer = self.sandbox.add_customer(name, language)
        except ValueError as error:
            raise BadInput(str(error)) from None
        return _json(customer.to_json())

    async def send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self._customer(body)
        # Typing a reply button's text is pressing it, and a one-time keyboard then hides.
        message = await self.sandbox.emu.user(user).press_reply_button(
            _text(body, "text", _TEXT_LIMIT)
        )
        return _json({"ok": True, "message_id": message.message_id})

    async def contact(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user_id = self._customer(body)
        own = body.get("own", True)
        if not isinstance(own, bool):
            raise BadInput("'own' must be true or false")
        customer, user = self.sandbox.customers[user_id], self.sandbox.emu.user(user_id)
        if own:
            message = await user.send_contact(customer.phone)
        else:
            phone = foreign_phone(customer.phone, self.sandbox.cast.accounts)
            message = await user.send_contact(phone, user_id=STRANGER_ID, first_name="Friend")
        chat = self.sandbox.emu.chat(user_id)
        if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        return _json({"ok": True, "message_id": message.message_id})

    async def photo(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self._customer(body)
        caption = _text(body, "caption", _CAPTION_LIMIT, optional=True)
        message = await self.sandbox.emu.user(user).send_photo(caption or None)
        return _json({"ok": True, "message_id": message.message_id})

    async def media(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.sandbox.emu.user(self._customer(body))
        kind = body.get("kind")
        caption = _text(body, "caption", _CAPTION_LIMIT, optional=True) or None
        # Small built-in samples: what the bot cares about is the kind, not the bytes.
        if kind == "sticker":
            sent = [await user.send_sticker("👍")]
        elif kind == "document":
            sent = [await user.send_document("receipt.pdf", caption=caption)]
        elif kind == "voice":
            sent = [await user.send_voice(3)]
        elif kind == "album":
            sent = await user.send_media_group(_ALBUM_SIZE, caption)
        else:
            raise BadInput(f"'kind' must be one of {', '.join(MEDIA_KINDS)}")
        return _json({"ok": True, "message_ids": [m.message_id for m in sent]})

    async def click(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user_id, chat_id = _int(body, "user_id"), _int(body, "chat_id")
        message_id = _int(body, "message_id")
        data = _text(body, "callback_data", _CALLBACK_LIMIT)
        s = self.sandbox
        if user_id in s.customers:
            if chat_id != user_id:
                raise BadInput("a customer can only press buttons in their own chat")
        elif user_id in s.agents:
            if chat_id != s.forum_id:
                raise BadInput("an agent can only press buttons in the forum")
        else:
            raise BadInput(f"no customer or agent {user_id}")
        message = s.emu.world.find_message(chat_id, message_id)
        if message is None:
            raise BadInput(f"no message {message_id} in chat {chat_id}")
        await s.emu.user(user_id).click(message, data)
        return _json({"ok": True})

    async def agent(self, request: web.Request) -> web.Response:
        body = await _body(request)
        agent_id = _int(body, "agent_id")
        if agent_id not in self.sandbox.agents:
            raise BadInput(f"no agent {agent_id}")
        thread = body.get("thread_id")
        if thread is not None and (not isinstance(thread, int) or isinstance(thread, bool)):
            raise BadInput("'thread_id' must be a topic id, or null for General")
        text = _text(body, "text", _TEXT_LIMIT)
        user = self.sandbox.emu.user(agent_id)
        message = await user.send_in_topic(self.sandbox.forum_id, thread, text)
        return _json({"ok": True, "message_id": message.message_id})

    def _customer(self, body: dict[str, Any]) -> int:
        user_id = _int(body, "user_id")
        if user_id not in self.sandbox.customers:
            raise BadInput(f"no customer {user_id}")
        return user_id


async def _body(request: web.Request) -> dict[str, Any]:
    # JSON only: a form posted by another site cannot reach here without a preflight.
    if request.content_type != "application/json":
        raise BadInput("send a JSON object with Content-Type: application/json")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadInput("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object")
    return body


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadInput(f"'{key}' must be an integer")
    return value


def _text(body: dict[str, Any], key: str, limit: int, *, optional: bool = False) -> str:
    value = body.get(key)
    if optional and value in (None, ""):
        return ""
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"'{key}' must be a non-empty string")
    if len(value) > limit:
        raise BadInput(f"'{key}' is longer than {limit} characters")
    return value
