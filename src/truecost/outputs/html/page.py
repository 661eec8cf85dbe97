"""Assemble the report's sections into one self-contained HTML document.

Everything the page shows is inside the file: the stylesheet is inlined, charts
are inline SVG, and the page has no script, so it opens offline in any browser.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from truecost import __version__
from truecost.analyses.spend import Selection
from truecost.outputs.html.model import Figure, SectionResult
from truecost.outputs.html.styles import STYLESHEET
from truecost.outputs.render import Table

PAGE_TITLE = "AI spend report"
ChartRenderer = Callable[[Figure], str]


def render_page(
    sections: list[SectionResult],
    selection: Selection,
    generated_at: datetime,
    render_chart: ChartRenderer,
) -> str:
    """Return the whole HTML document; ``render_chart`` turns a figure's spec into an SVG element."""
    shown = [section for section in sections if section.skipped is None]
    nav = "".join(f'<li><a href="#{escape(s.key)}">{escape(s.title)}</a></li>' for s in shown)
    body = "\n".join(_section_html(section, render_chart) for section in sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="truecost {escape(__version__)}">
<title>{PAGE_TITLE}</title>
<style>{STYLESHEET}</style>
</head>
<body>
<header>
<h1>{PAGE_TITLE}</h1>
<p class="meta">{escape(describe_selection(selection))} · generated {generated_at:%Y-%m-%d %H:%M} UTC</p>
</header>
<nav aria-label="Sections"><ol>{nav}</ol></nav>
<main>
{body}
</main>
<footer>Made with truecost {escape(__version__)}. Amounts are in US dollars, to the micro-dollar
(rounded half to even); requests to models with no known price are left out of every amount.</footer>
</body>
</html>
"""


def describe_selection(selection: Selection) -> str:
    """Describe which records the report covers, e.g. ``from 2026-01-01 to 2026-01-31, feature=chat``."""
    parts = []
    if selection.since is not None:
        parts.append(f"from {selection.since:%Y-%m-%d %H:%M}")
    if selection.until is not None:
        # ``until`` is exclusive; the last included instant reads better.
        last = selection.until - timedelta(microseconds=1)
        parts.append(f"to {last:%Y-%m-%d %H:%M}")
    scope = " ".join(parts) if parts else "all records"
    filters = ", ".join(f"{name}={value}" for name, value in selection.filters)
    return f"{scope}, {filters}" if filters else scope


def _section_html(section: SectionResult, render_chart: ChartRenderer) -> str:
    title = escape(section.title)
    if section.skipped is not None:
        return (
            f'<section id="{escape(section.key)}" class="skipped">'
            f'<h2>{title}</h2><p class="note">Not shown: {escape(section.skipped)}</p></section>'
        )
    parts = [f'<section id="{escape(section.key)}">', f"<h2>{title}</h2>"]
    if section.facts:
        items = "".join(
            f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>"
            for label, value in section.facts
        )
        parts.append(f'<dl class="facts">{items}</dl>')
    parts.extend(f'<p class="note">{escape(note)}</p>' for note in section.notes)
    parts.extend(_figure_html(figure, render_chart) for figure in section.figures)
    parts.append("</section>")
    return "\n".join(parts)


def _figure_html(figure: Figure, render_chart: ChartRenderer) -> str:
    caption = f'<p class="caption">{escape(figure.caption)}</p>' if figure.caption else ""
    return (
        f'<figure id="figure-{escape(figure.key)}" data-chart="{escape(figure.key)}">'
        f"<figcaption><h3>{escape(figure.title)}</h3>{caption}</figcaption>"
        f'<div class="chart" role="img" aria-label="{escape(figure.title)}">'
        f"{render_chart(figure)}</div>"
        f'<div class="table-wrap">{table_html(figure.table)}</div>'
        "</figure>"
    )


def table_html(table: Table) -> str:
    """Render a ``Table`` as an HTML table; a first cell of ``total`` marks the totals row."""
    head = "".join(
        f'<th scope="col"{_num(i, table)}>{escape(column)}</th>'
        for i, column in enumerate(table.columns)
    )
    rows = []
    for row in table.rows:
        cells = "".join(f"<td{_num(i, table)}>{escape(cell)}</td>" for i, cell in enumerate(row))
        marker = ' class="total"' if row and row[0] == "total" else ""
        rows.append(f"<tr{marker}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _num(index: int, table: Table) -> str:
    return ' class="num"' if index in table.align_right else ""
