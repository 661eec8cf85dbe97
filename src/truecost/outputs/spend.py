"""Renderings of the spend report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from truecost.analyses.spend import TOKEN_KINDS, Group, SpendReport
from truecost.outputs.render import (
    Table,
    format_count,
    format_usd,
    micro_usd,
    render_csv,
    render_markdown,
    render_text,
    to_json,
)

_TOKEN_TITLES = {
    "input_tokens": "input",
    "cache_read_tokens": "cache read",
    "cache_write_5m_tokens": "cache write 5m",
    "cache_write_1h_tokens": "cache write 1h",
    "output_tokens": "output",
    "reasoning_tokens": "reasoning",
}


def spend_payload(report: SpendReport) -> dict[str, Any]:
    """Return the JSON document of a report; dollar amounts are rounded to the micro-dollar."""
    payload: dict[str, Any] = {
        "total_usd": micro_usd(report.total_usd),
        "requests": report.requests,
        "tokens": report.tokens,
        "first_timestamp": report.first_ts,
        "last_timestamp": report.last_ts,
        "cache_savings_usd": micro_usd(report.cache_savings_usd),
        "by": report.by,
        "groups": [_group_payload(g) for g in report.groups],
        "unpriced": [
            {
                "provider": u.provider,
                "model": u.model,
                "requests": u.requests,
                "tokens": u.tokens,
                "reason": u.reason,
            }
            for u in report.unpriced
        ],
        "flagged_records": report.flagged_records,
    }
    if report.reported_usd is not None:
        payload["reported_usd"] = micro_usd(report.reported_usd)
        payload["reported_comparison"] = {
            "calls": report.reported_calls,
            "reported_usd": _micro_or_none(report.reported_of_priced_usd),
            "ours_usd": _micro_or_none(report.reported_priced_usd),
        }
    if report.month_to_date is not None:
        mtd = report.month_to_date
        payload["month_to_date"] = {
            "month": mtd.month,
            "as_of": mtd.as_of,
            "usd": micro_usd(mtd.usd),
            "projected_month_usd": micro_usd(mtd.projected_usd),
        }
    return payload


def _group_payload(group: Group) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": group.key,
        "requests": group.requests,
        "usd": _micro_or_none(group.usd),
        "usd_per_request": _micro_or_none(group.usd_per_request),
        **group.tokens,
        "unpriced_requests": group.unpriced_requests,
    }
    if group.reported_usd is not None:
        entry["reported_usd"] = micro_usd(group.reported_usd)
    return entry


def _micro_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else micro_usd(value)


def _usd_cell(value: Decimal | None, places: int = 2) -> str:
    return "unpriced" if value is None else format_usd(value, places)


def _groups_table(report: SpendReport) -> Table:
    columns = [
        *report.by,
        "requests",
        *(_TOKEN_TITLES[k] for k in TOKEN_KINDS),
        "usd",
        "usd/request",
    ]
    rows = []
    for group in report.groups:
        rows.append(
            [
                *(group.key[name] for name in report.by),
                format_count(group.requests),
                *(format_count(group.tokens[k]) for k in TOKEN_KINDS),
                _usd_cell(group.usd),
                _usd_cell(group.usd_per_request, 4),
            ]
        )
    right = frozenset(range(len(report.by), len(columns)))
    return Table(columns=columns, rows=rows, align_right=right)


def _total_text(report: SpendReport) -> str:
    """Return the total, saying how many requests it leaves out for lack of a price."""
    unpriced = sum(u.requests for u in report.unpriced)
    if not unpriced:
        return format_usd(report.total_usd)
    return (
        f"{format_usd(report.total_usd)} for the priced requests; {unpriced:,} unpriced "
        "requests are not included (see Unpriced below)"
    )


def _headline(report: SpendReport) -> list[tuple[str, str]]:
    lines = [
        ("total", _total_text(report)),
        ("requests", format_count(report.requests)),
    ]
    if report.first_ts and report.last_ts:
        lines.append(
            ("period", f"{report.first_ts:%Y-%m-%d %H:%M} to {report.last_ts:%Y-%m-%d %H:%M} UTC")
        )
    lines.append(("saved by prompt caching", format_usd(report.cache_savings_usd)))
    if report.reported_usd is not None:
        lines.append(("provider-reported cost", format_usd(report.reported_usd)))
    if report.reported_calls:
        theirs = report.reported_of_priced_usd
        ours = report.reported_priced_usd
        difference = (ours or Decimal(0)) - (theirs or Decimal(0))
        lines.append(
            (
                "reported against ours",
                f"{report.reported_calls:,} calls: reported {format_usd(theirs)}, ours "
                f"{format_usd(ours)}, difference {format_usd(difference)}",
            )
        )
    if report.month_to_date is not None:
        mtd = report.month_to_date
        lines.append(
            (
                f"month to date ({mtd.month}, as of {mtd.as_of:%Y-%m-%d %H:%M})",
                f"{format_usd(mtd.usd)}, straight projection to month end {format_usd(mtd.projected_usd)}",
            )
        )
    return lines


def _unpriced_table(report: SpendReport) -> Table:
    rows = [
        [
            u.provider,
            u.model,
            format_count(u.requests),
            format_count(u.tokens["input_tokens"]),
            format_count(u.tokens["output_tokens"]),
            u.reason,
        ]
        for u in report.unpriced
    ]
    return Table(
        columns=["provider", "model", "requests", "input", "output", "reason"],
        rows=rows,
        title="Unpriced (left out of every dollar figure)",
        align_right=frozenset({2, 3, 4}),
    )


def render_spend(report: SpendReport, output_format: str) -> str:
    """Render a spend report as ``table``, ``markdown``, ``csv`` or ``json``."""
    if output_format == "json":
        return to_json(spend_payload(report))
    if output_format == "csv":
        columns = [*report.by, "requests", *TOKEN_KINDS, "usd", "unpriced_requests", "reported_usd"]
        rows = [
            [
                *(g.key[n] for n in report.by),
                g.requests,
                *(g.tokens[k] for k in TOKEN_KINDS),
                _micro_or_none(g.usd),
                g.unpriced_requests,
                g.reported_usd,
            ]
            for g in report.groups
        ]
        if not report.by:
            rows = [
                [
                    "",
                    report.requests,
                    *(report.tokens[k] for k in TOKEN_KINDS),
                    micro_usd(report.total_usd),
                    sum(u.requests for u in report.unpriced),
                    report.reported_usd,
                ]
            ]
            columns = ["all", *columns]
        return render_csv(columns, rows)
    render = render_markdown if output_format == "markdown" else render_text
    if not report.requests:
        return "No records match the selection (check --since, --until and --where)."
    parts: list[str] = []
    headline = _headline(report)
    if output_format == "markdown":
        parts.append("\n".join(f"- **{name}**: {value}" for name, value in headline))
    else:
        width = max(len(name) for name, _ in headline)
        parts.append("\n".join(f"{name.ljust(width)}  {value}" for name, value in headline))
    if report.groups:
        parts.append(render(_groups_table(report)))
    if report.unpriced:
        parts.append(render(_unpriced_table(report)))
    if report.flagged_records:
        parts.append(
            f"{report.flagged_records:,} records carry warnings (counts that do not add up, "
            "no model named in the log...); see 'truecost records', column flags."
        )
    return "\n\n".join(parts)
