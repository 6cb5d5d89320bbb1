"""HTTP layer: routes Bot API requests to method handlers.

Serves ``/bot<token>/<method>`` (GET query, urlencoded/multipart form or JSON
body, exactly what aiogram and browsers send) and ``/file/bot<token>/<path>``.
Token check, artificial latency, fault injection, flood limits and the call
log live here so method handlers only model Telegram's behaviour.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from aiohttp import web

from . import api_bot, api_chats, api_media, api_messages, api_objects, api_reactions
from .errors import ApiError
from .faults import FaultInjector, RateLimiter
from .models import ChatRecord
from .params import Handler, Params
from .state import World

logger = logging.getLogger(__name__)

_MAX_REQUEST_BYTES = 60 * 1024 * 1024
# Methods that create messages and therefore count against flood limits.
_NON_MESSAGE_SENDS = frozenset({"sendchataction"})


class ApiCall(NamedTuple):
    """One recorded request: ``method`` as sent and its decoded parameters."""

    method: str
    params: dict[str, Any]


def default_handlers() -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for module in (api_bot, api_chats, api_messages, api_media, api_objects, api_reactions):
        merged.update(module.HANDLERS)
    # Telegram method names are case-insensitive.
    return {name.lower(): handler for name, handler in merged.items()}


def _creates_messages(method: str) -> bool:
    return (method.startswith("send") and method not in _NON_MESSAGE_SENDS) or method in {
        "copymessage",
        "forwardmessage",
    }


class ApiServer:
    def __init__(
        self,
        world: World,
        *,
        token: str,
        faults: FaultInjector,
        limiter: RateLimiter,
        latency: float = 0.0,
        handlers: Mapping[str, Handler] | None = None,
    ) -> None:
        self.world = world
        self.token = token
        self.faults = faults
        self.limiter = limiter
        self.latency = latency
        self._carried_out: set[asyncio.Future[web.Response]] = set()
        self.handlers = dict(handlers or default_handlers())
        self.calls: list[ApiCall] = []
        # Sees each call first; answering True drops it unanswered, as a connection that
        # broke before the request reached Telegram (crash tests kill the bot there).
        self.on_call: Callable[[ApiCall], bool] | None = None
        self.drop_after = 0.0  # seconds a dropped call hangs before its 502
        # Sees each answer to getUpdates just before it goes out (crash tests kill the
        # bot right after it has taken updates).
        self.on_updates: Callable[[ApiCall, web.Response], None] | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"http://{self._host}:{self._port}"

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=_MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world.closing = False
        # Cancel a handler when its client disconnects, so abandoned long polls end.
        runner = web.AppRunner(
            self.build_app(), handler_cancellation=True, access_log=None, shutdown_timeout=0.5
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._host = host
        self._port = int(runner.addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        self.world.closing = True
        self.world.hub.poke()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._port = None

    @staticmethod
    def _reply(error: ApiError) -> web.Response:
        return web.json_response(error.to_json(), status=error.status)

    async def handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = await Params.from_request(request)
        except ValueError:
            return self._reply(ApiError(400, "Bad Request: can't parse request body"))
        call = ApiCall(method, params.recorded())
        self.calls.append(call)
        if self.on_call is not None and self.on_call(call):
            # As a request lost on the way: the client waits, and hears nothing it could
            # act on before whoever dropped it is done with it.
            await asyncio.sleep(self.drop_after)
            return self._reply(ApiError(502, "Bad Gateway"))
        work = self._answer(method, params)
        if method.lower() == "getupdates":
            response = await work
            if self.on_updates is not None:
                self.on_updates(call, response)
            return response
        # Like Telegram, a request that arrived is carried out even if the client hangs
        # up waiting for the answer: the message exists although the bot never heard so.
        task = asyncio.ensure_future(work)
        self._carried_out.add(task)
        task.add_done_callback(self._carried_out.discard)
        return await asyncio.shield(task)

    async def _answer(self, method: str, params: Params) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            result = await self._dispatch(method, params)
        except ApiError as error:
            return self._reply(error)
        except Exception as exc:
            logger.exception("emulator handler for %s crashed", method)
            return self._reply(ApiError(500, f"Internal Server Error: {exc!r}"))
        return web.json_response({"ok": True, "result": result})

    async def _dispatch(self, method: str, params: Params) -> Any:
        name = method.lower()
        handler = self.handlers.get(name)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        self.faults.check(method, params.text("chat_id"))
        chat = self._limited_chat(name, params)
        if chat is not None:
            self.limiter.check(chat)
        result = await handler(self.world, params)
        if chat is not None:
            self.limiter.record(chat)
        return result

    def _limited_chat(self, method: str, params: Params) -> ChatRecord | None:
        if not self.limiter.enabled or not _creates_messages(method):
            return None
        try:
            return self.world.resolve_chat(params.chat_id())
        except ApiError:
            return None  # the handler reports the bad chat itself

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._reply(ApiError(401, "Unauthorized"))
        stored = self.world.file_by_path(request.match_info["path"])
        if stored is None:
            return self._reply(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
