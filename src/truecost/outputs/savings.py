"""Render the savings report as a ranked table with its assumptions, as Markdown or as JSON."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from truecost.outputs.render import (
    Table,
    format_count,
    format_usd,
    render_markdown,
    render_text,
    to_json,
)
from truecost.savings.report import OptimizationSaving, SavingsReport
from truecost.savings.waterfall import waterfall_rows


def _share(value: Decimal | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _ranked_table(report: SavingsReport) -> Table:
    rows = []
    for rank, saving in enumerate(report.alone, start=1):
        estimated = saving.changed_records or not saving.not_estimated
        rows.append(
            [
                str(rank),
                saving.title,
                format_usd(saving.saved_usd_per_month) if estimated else "not estimated",
                _share(saving.saved_share) if estimated else "-",
                format_usd(saving.saved_usd) if estimated else "-",
                format_count(saving.changed_records),
            ]
        )
    combined = report.combined_saved_usd
    share = combined / report.baseline_usd if report.baseline_usd else None
    rows.append(
        [
            "",
            "All combined, in sequence",
            format_usd(report.per_month(combined)),
            _share(share),
            format_usd(combined),
            "",
        ]
    )
    title = (
        f"Savings on {report.records:,} records: baseline {format_usd(report.per_month(report.baseline_usd))}"
        f" a month ({format_usd(report.baseline_usd)} over the period)"
    )
    columns = [
        "#",
        "optimization",
        "saved $/month",
        "saved %",
        "saved in period",
        "requests changed",
    ]
    return Table(columns, rows, title=title, align_right=frozenset({0, 2, 3, 4, 5}))


def _feature_table(report: SavingsReport) -> Table:
    names = [step.title for step in report.combined]
    rows = []
    for feature, baseline in sorted(report.feature_baselines.items(), key=lambda item: -item[1]):
        cells = [feature, format_usd(report.per_month(baseline))]
        total = Decimal(0)
        for step in report.combined:
            saved = next(f.saved_usd for f in step.features if f.feature == feature)
            total += saved
            cells.append(format_usd(report.per_month(saved)))
        cells.append(_share(total / baseline if baseline else None))
        rows.append(cells)
    columns = ["feature", "baseline $/month", *names, "combined %"]
    return Table(
        columns,
        rows,
        title="Per feature, in sequence ($/month)",
        align_right=frozenset(range(1, len(columns))),
    )


def _details(saving: OptimizationSaving) -> list[str]:
    lines = [f"{saving.title}:"]
    lines += [f"  - {note}" for note in saving.notes]
    lines += [f"  - assumes: {text}" for text in saving.assumptions]
    if saving.risk:
        lines.append(f"  - risk: {saving.risk}")
    for item in saving.not_estimated:
        where = f"feature {item.feature}" if item.feature else "records"
        lines.append(f"  - not estimated ({where}, {item.records:,} requests): {item.reason}")
    return lines


def _assumption_lines(report: SavingsReport) -> list[str]:
    lines = ["Assumptions:", *[f"  - {text}" for text in report.assumptions]]
    for saving in report.alone:
        lines.extend(_details(saving))
    return lines


def savings_payload(report: SavingsReport) -> dict[str, Any]:
    """Return the report as plain data for JSON."""
    payload = asdict(report)
    payload["combined_saved_usd"] = report.combined_saved_usd
    payload["waterfall"] = [asdict(row) for row in waterfall_rows(report)]
    return payload


def render_savings(report: SavingsReport, output_format: str) -> str:
    """Render the report in ``table``, ``markdown`` or ``json``."""
    if output_format == "json":
        return to_json(savings_payload(report))
    tables = [_ranked_table(report), _feature_table(report)]
    if output_format == "markdown":
        body = "\n\n".join(render_markdown(t) for t in tables)
        return body + "\n\n" + "\n".join(_assumption_lines(report))
    return (
        "\n\n".join(render_text(t) for t in tables) + "\n\n" + "\n".join(_assumption_lines(report))
    )
