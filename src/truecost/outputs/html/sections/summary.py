"""The headline figures at the top of the page: total, requests, period, caching and month to date."""

from __future__ import annotations

from truecost.analyses.spend import SpendReport, spend_report
from truecost.outputs.html.cells import counted, usd_cell
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import SectionResult, skipped
from truecost.outputs.html.registry import register_section
from truecost.outputs.render import format_count, format_usd

KEY = "summary"
TITLE = "Summary"


@register_section(KEY, TITLE, order=10)
def build(context: ReportContext) -> SectionResult:
    """List the spend report's headline figures."""
    report = spend_report(context.con, [], context.selection, context.as_of)
    if not report.requests:
        return skipped(KEY, TITLE, "No records in the selected period.")
    return SectionResult(key=KEY, title=TITLE, facts=summary_facts(report), notes=_notes(report))


def summary_facts(report: SpendReport) -> list[tuple[str, str]]:
    """Return (label, value) pairs of the headline figures."""
    # Headline figures are rounded to the cent (amounts under a cent keep micro-dollars);
    # the tables under each chart carry the exact figures.
    facts = [
        ("total spend", format_usd(report.total_usd)),
        ("requests", format_count(report.requests)),
        ("saved by prompt caching", format_usd(report.cache_savings_usd)),
    ]
    if report.first_ts and report.last_ts:
        facts.append(
            ("period (UTC)", f"{report.first_ts:%Y-%m-%d %H:%M} to {report.last_ts:%Y-%m-%d %H:%M}")
        )
    if report.month_to_date is not None:
        mtd = report.month_to_date
        facts.append((f"month to date ({mtd.month})", format_usd(mtd.usd)))
        facts.append(("straight projection to month end", format_usd(mtd.projected_usd)))
    if report.reported_calls:
        calls = counted(report.reported_calls, "call")
        facts.append((f"provider-reported cost ({calls})", usd_cell(report.reported_of_priced_usd)))
        facts.append(("our price for the same calls", usd_cell(report.reported_priced_usd)))
    return facts


def _notes(report: SpendReport) -> list[str]:
    notes = []
    if report.unpriced:
        count = sum(u.requests for u in report.unpriced)
        models = ", ".join(f"{u.provider}/{u.model}" for u in report.unpriced)
        notes.append(
            f"Left out of every dollar figure: {counted(count, 'request')} with no known price "
            f"({models}). Add their prices with a --prices file."
        )
    if report.flagged_records:
        notes.append(
            f"Kept as logged: {counted(report.flagged_records, 'record')} whose token counts "
            "do not add up. See 'truecost records' (column flags)."
        )
    return notes
