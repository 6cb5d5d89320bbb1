"""Line charts as inline SVG, drawn on the server: no script, nothing fetched.

Every text that goes in (a title, a label, a series' name) is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 760, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 16, 16, 42
_TICKS = 4
_LABELS = 8  # at most this many labels along the bottom


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None: nothing that day or hour
    colour: str  # a CSS colour of our own, never from data


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _scale(series: Sequence[Series]) -> float:
    top = max((v for s in series for v in s.values if v is not None), default=0.0)
    return top * 1.1 if top > 0 else 1.0


def _x(index: int, count: int) -> float:
    inner = WIDTH - _LEFT - _RIGHT
    return _LEFT + (inner * index / (count - 1) if count > 1 else inner / 2)


def _y(value: float, top: float) -> float:
    return _TOP + (HEIGHT - _TOP - _BOTTOM) * (1 - value / top)


def _lines(one: Series, top: float) -> list[str]:
    """The series as polylines, broken where a value is missing; a lone point as a dot."""
    runs: list[list[tuple[float, float]]] = [[]]
    count = len(one.values)
    for index, value in enumerate(one.values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((_x(index, count), _y(value, top)))
    drawn = []
    for run in (r for r in runs if r):
        if len(run) == 1:
            ((x, y),) = run
            drawn.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{one.colour}"/>')
        else:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            drawn.append(
                f'<polyline points="{points}" fill="none" stroke="{one.colour}" '
                'stroke-width="2" stroke-linejoin="round"/>'
            )
    return drawn


def _axes(labels: Sequence[str], top: float, tick: Callable[[float], str]) -> list[str]:
    parts = []
    for n in range(_TICKS + 1):
        value = top * n / _TICKS
        y = _y(value, top)
        parts.append(
            f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_e(tick(value))}</text>'
        )
    step = max(1, -(-len(labels) // _LABELS))
    for index in range(0, len(labels), step):
        x = _x(index, len(labels))
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - _BOTTOM + 18}" text-anchor="middle">'
            f"{_e(labels[index])}</text>"
        )
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    for n, one in enumerate(series):
        x = _LEFT + n * 120
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 14}" width="14" height="4" fill="{one.colour}"/>'
            f'<text x="{x + 20}" y="{HEIGHT - 9}">{_e(one.name)}</text>'
        )
    return parts


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    tick: Callable[[float], str],
) -> str:
    """One chart: a line per series over ``labels``, the y axis labelled by ``tick``."""
    top = _scale(series)
    body = _axes(labels, top, tick)
    for one in series:
        body += _lines(one, top)
    body += _legend(series)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{_e(title)}" class="chart"><title>{_e(title)}</title>'
        + "".join(body)
        + "</svg>"
    )
