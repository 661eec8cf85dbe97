"""Renderings of a period comparison (``truecost report --compare``)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from truecost.analyses.compare import ChangeRow, Comparison
from truecost.outputs.render import (
    Table,
    format_usd,
    micro_usd,
    render_csv,
    render_markdown,
    render_text,
    to_json,
)


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "new"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN):+}%"


def _signed_usd(value: Decimal) -> str:
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return sign + format_usd(abs(value))


def _window_text(comparison: Comparison) -> str:
    current, previous = comparison.current, comparison.previous
    text = (
        f"{current.label} ({current.since:%Y-%m-%d %H:%M} to {current.until:%Y-%m-%d %H:%M} UTC) "
        f"against {previous.label} ({previous.since:%Y-%m-%d %H:%M} to {previous.until:%Y-%m-%d %H:%M} UTC)"
    )
    if comparison.like_for_like:
        text += "; the period is in progress, so both cover the same elapsed time"
    return text


def comparison_payload(comparison: Comparison) -> dict[str, Any]:
    """Return the JSON document of a comparison; dollars rounded to the micro-dollar."""

    def row(change: ChangeRow) -> dict[str, Any]:
        pct = change.change_pct
        return {
            **({"key": change.key} if change.key else {}),
            "current_usd": micro_usd(change.current_usd),
            "previous_usd": micro_usd(change.previous_usd),
            "change_usd": micro_usd(change.change_usd),
            "change_pct": None
            if pct is None
            else pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN),
        }

    return {
        "by": comparison.by,
        "current": {
            "period": comparison.current.label,
            "since": comparison.current.since,
            "until": comparison.current.until,
        },
        "previous": {
            "period": comparison.previous.label,
            "since": comparison.previous.since,
            "until": comparison.previous.until,
        },
        "like_for_like": comparison.like_for_like,
        "total": row(comparison.total),
        "groups": [row(change) for change in comparison.rows],
        "unpriced_requests": comparison.unpriced_requests,
    }


def render_comparison(comparison: Comparison, output_format: str) -> str:
    """Render a comparison as ``table``, ``markdown``, ``csv`` or ``json``."""
    if output_format == "json":
        return to_json(comparison_payload(comparison))
    by = comparison.by
    if output_format == "csv":
        rows: list[list[Any]] = [
            [
                *(c.key[n] for n in by),
                micro_usd(c.current_usd),
                micro_usd(c.previous_usd),
                micro_usd(c.change_usd),
            ]
            for c in comparison.rows
        ]
        return render_csv([*by, "current_usd", "previous_usd", "change_usd"], rows)
    table = Table(
        columns=[*by, comparison.current.label, comparison.previous.label, "change", "change %"],
        rows=[
            [
                *(c.key[n] for n in by),
                format_usd(c.current_usd),
                format_usd(c.previous_usd),
                _signed_usd(c.change_usd),
                _pct(c.change_pct),
            ]
            for c in comparison.rows
        ],
        align_right=frozenset(range(len(by), len(by) + 4)),
    )
    total = comparison.total
    headline = (
        f"total {format_usd(total.current_usd)} against {format_usd(total.previous_usd)}: "
        f"{_signed_usd(total.change_usd)} ({_pct(total.change_pct)})"
    )
    parts = [
        _window_text(comparison),
        headline,
        (render_markdown if output_format == "markdown" else render_text)(table),
    ]
    if comparison.unpriced_requests:
        parts.append(
            f"{comparison.unpriced_requests:,} unpriced requests are left out of both columns."
        )
    return "\n\n".join(parts)
