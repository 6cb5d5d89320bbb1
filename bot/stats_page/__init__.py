"""`python -m bot stats`: the team's numbers as a read-only web page for the support lead.

It reads the bot's database (DATABASE_URL or DATABASE_PATH) beside the running bot:
SQLite read-only and without the bot's lock, PostgreSQL as it is, nothing migrated or
written. The figures are the same as /stats gives; the charts are SVG drawn here. It
listens on 127.0.0.1 unless told otherwise, and answers GET only.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from aiohttp import web

from bot.domain.clock import Clock
from bot.domain.forums import ForumLane
from bot.services.stats import Period, StatsService
from bot.services.stats_charts import charts
from bot.settings import DeskSettings
from bot.stats_page.render import Page, render
from bot.telegram.i18n import Texts
from storage.db import Database
from storage.readonly import open_for_reading
from storage.stats import StatsRepo

# No script, no outside file: the page allows nothing but its own inline style.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class StatsPage:
    """The page's web server; ``async with`` runs it (port 0: any free port)."""

    def __init__(
        self,
        stats: StatsService,
        texts: Texts,
        forums: tuple[ForumLane, ...] = (),
        host: str = "127.0.0.1",
        port: int = 8090,
    ) -> None:
        self._stats, self._texts, self._host, self._port = stats, texts, host, port
        self._labels = {forum.chat_id: forum.label for forum in forums}
        app = web.Application()
        app.router.add_get("/", self._page)
        self._runner = web.AppRunner(app, access_log=None)
        self.url = ""

    async def __aenter__(self) -> StatsPage:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{self._host}:{port}/"
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._runner.cleanup()

    async def _page(self, request: web.Request) -> web.Response:
        period = Period.of(request.query.get("period")) or Period.TODAY
        page = Page(
            t=self._texts,
            report=await self._stats.report(period),
            charts=await charts(self._stats, period),
            forum_labels=self._labels,
            zone=self._stats.zone.key,
            at=self._stats.clock.now().astimezone(self._stats.zone),
        )
        return web.Response(
            text=render(page), content_type="text/html", charset="utf-8", headers=_HEADERS
        )


async def serve_stats(settings: DeskSettings, host: str, port: int) -> None:
    """Runs the page until interrupted."""
    db: Database = await open_for_reading(settings.postgres_url or settings.sqlite_path)
    try:
        stats = StatsService(StatsRepo(db), Clock(), settings.support_timezone)
        texts = Texts(settings.default_locale)
        async with StatsPage(stats, texts, settings.forums, host, port) as page:
            print(f"The team's numbers: {page.url}", flush=True)  # noqa: T201
            await asyncio.Event().wait()
    finally:
        await db.close()
