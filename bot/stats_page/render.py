"""The stats page's HTML: the figures as tables, the charts as inline SVG, no script.

Texts come from the locale (already escaped for HTML); everything else that comes from
the data (an agent's name, a forum's label) is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.services.stats import Figures, Line, Period, Report
from bot.services.stats_charts import Charts
from bot.stats_page.svg import Series, line_chart
from bot.telegram.i18n import Texts
from bot.telegram.stats_view import PERIOD_NAMES, duration

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header,main{max-width:1000px;margin:0 auto;padding:12px 16px}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:22px 0 8px}
nav a{margin-right:14px}nav a[aria-current]{font-weight:700;color:#1d2430;text-decoration:none}
.scroll{overflow-x:auto}table{border-collapse:collapse;background:#fff;min-width:100%}
th,td{padding:6px 10px;border-bottom:1px solid #e3e6eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}tr.total td{font-weight:700}
.chart{width:100%;height:auto;background:#fff}.chart text{font-size:12px;fill:#4a5261}
.chart .grid{stroke:#e3e6eb}footer{color:#6b7280;font-size:13px;margin:20px 0}
"""
_P50, _P90, _OPEN = "#2563eb", "#dc2626", "#059669"


@dataclass(frozen=True)
class Page:
    """Everything one rendering needs."""

    t: Texts
    report: Report
    charts: Charts
    forum_labels: Mapping[int, str]
    zone: str
    at: datetime  # local


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _row(page: Page, name: str, figures: Figures, total: bool = False) -> str:
    t = page.t
    csat = f"{figures.csat:.2f} ({figures.rated})" if figures.csat is not None else "—"
    cells = [
        _e(name),
        str(figures.opened),
        str(figures.closed),
        str(figures.waiting),
        f"{duration(t, figures.first_response.p50)} / {duration(t, figures.first_response.p90)}",
        f"{duration(t, figures.resolution.p50)} / {duration(t, figures.resolution.p90)}",
        _e(csat),
    ]
    row = "".join(f"<td>{cell}</td>" for cell in cells)
    return f'<tr class="total">{row}</tr>' if total else f"<tr>{row}</tr>"


def _table(page: Page, table_id: str, rows: list[str]) -> str:
    t = page.t
    heads = (
        "agents-stats-page-where",
        "agents-stats-page-opened",
        "agents-stats-page-closed",
        "agents-stats-page-waiting",
        "agents-stats-page-first",
        "agents-stats-page-resolution",
        "agents-stats-page-csat",
    )
    head = "".join(f'<th scope="col">{t(key)}</th>' for key in heads)
    return (
        f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _forum_name(page: Page, line: Line) -> str:
    if line.key is None:
        return "—"
    return page.forum_labels.get(line.key, str(line.key))


def _agent_name(page: Page, line: Line) -> str:
    if line.key is None:
        return html.unescape(page.t("agents-queue-nobody"))  # escaped again in the row
    return line.name or str(line.key)


def _charts(page: Page) -> str:
    t, drawn = page.t, page.charts
    days = [point.day.strftime("%d.%m") for point in drawn.first_response]
    first = line_chart(
        html.unescape(t("agents-stats-page-chart-first")),
        days,
        [
            Series("p50", [p.times.p50 for p in drawn.first_response], _P50),
            Series("p90", [p.times.p90 for p in drawn.first_response], _P90),
        ],
        lambda seconds: html.unescape(duration(t, seconds)),
    )
    hours = [point.at.strftime("%d.%m %H:00") for point in drawn.backlog]
    backlog = line_chart(
        html.unescape(t("agents-stats-page-chart-backlog")),
        hours,
        [
            Series(
                html.unescape(t("agents-stats-page-waiting")),
                [p.open for p in drawn.backlog],
                _OPEN,
            )
        ],
        lambda count: f"{count:.0f}",
    )
    return (
        f'<section id="chart-first"><h2>{t("agents-stats-page-chart-first")}</h2>{first}</section>'
        f'<section id="chart-backlog"><h2>{t("agents-stats-page-chart-backlog")}</h2>'
        f"{backlog}</section>"
    )


def _nav(page: Page) -> str:
    links = []
    for period in Period:
        current = ' aria-current="page"' if period == page.report.window.period else ""
        name = page.t(PERIOD_NAMES[period])
        links.append(f'<a href="?period={period.value}"{current}>{name}</a>')
    return f'<nav aria-label="{page.t("agents-stats-page-period")}">{"".join(links)}</nav>'


def render(page: Page) -> str:
    t, report = page.t, page.report
    forums = [_row(page, html.unescape(t("agents-stats-page-total")), report.total, total=True)]
    forums += [_row(page, _forum_name(page, line), line.figures) for line in report.forums]
    agents = [_row(page, _agent_name(page, line), line.figures) for line in report.agents]
    title = t("agents-stats-page-title")
    at = page.at.strftime("%d.%m.%Y %H:%M")
    return (
        f'<!doctype html><html lang="{t.locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{title}</h1>{_nav(page)}</header><main>"
        f"<h2>{t('agents-stats-page-forums')}</h2>{_table(page, 'forums', forums)}"
        f"<h2>{t('agents-stats-page-agents')}</h2>{_table(page, 'agents', agents)}"
        f"{_charts(page)}"
        f"<footer>{t('agents-stats-page-generated', at=at, zone=page.zone)}</footer>"
        "</main></body></html>"
    )
