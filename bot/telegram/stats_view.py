"""The team's numbers as agents read them in the forum. Rendering only."""

from __future__ import annotations

from collections.abc import Mapping

from bot.services.stats import Figures, Period, Report, Times
from bot.telegram.i18n import Html, Texts

PERIOD_NAMES = {
    Period.TODAY: "agents-stats-today",
    Period.WEEK: "agents-stats-week",
    Period.MONTH: "agents-stats-month",
}
_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def duration(t: Texts, seconds: float | None) -> Html:
    """A time as people say it: 40 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return t("agents-stats-none")
    whole = round(seconds)
    if whole < _MINUTE:
        return t("agents-stats-seconds", seconds=whole)
    if whole < _HOUR:
        return t("agents-stats-minutes", minutes=whole // _MINUTE)
    if whole < _DAY:
        return t("agents-stats-hours", hours=whole // _HOUR, minutes=whole % _HOUR // _MINUTE)
    return t("agents-stats-days", days=whole // _DAY, hours=whole % _DAY // _HOUR)


def csat(t: Texts, figures: Figures) -> Html:
    if figures.csat is None:
        return t("agents-stats-no-csat")
    return t("agents-stats-csat", csat=round(figures.csat, 2), count=figures.rated)


def figure_lines(t: Texts, figures: Figures) -> list[str]:
    return [
        t(
            "agents-stats-counts",
            opened=figures.opened,
            closed=figures.closed,
            waiting=figures.waiting,
        ),
        t("agents-stats-first", **_times(t, figures.first_response)),
        t("agents-stats-resolution", **_times(t, figures.resolution)),
        csat(t, figures),
    ]


def _times(t: Texts, times: Times) -> dict[str, Html]:
    return {"p50": duration(t, times.p50), "p90": duration(t, times.p90)}


def stats_text(t: Texts, report: Report, forum_labels: Mapping[int, str]) -> str:
    """The whole report: the title, all forums, each forum, each agent."""
    span = report.window
    last = span.days[-1]
    lines = [
        t(
            "agents-stats-title",
            period=t(PERIOD_NAMES[span.period]),
            start=span.start.strftime("%d.%m"),
            end=last.strftime("%d.%m"),
        ),
        "",
        t("agents-stats-all"),
        *figure_lines(t, report.total),
    ]
    if len(report.forums) > 1:
        for line in report.forums:
            label = forum_labels.get(line.key, str(line.key)) if line.key is not None else "—"
            lines += ["", t("agents-stats-forum", forum=label), *figure_lines(t, line.figures)]
    for line in report.agents:
        name = line.name or str(line.key) if line.key is not None else t("agents-queue-nobody")
        lines += ["", t("agents-stats-agent", name=name), *figure_lines(t, line.figures)]
    return "\n".join(lines)
