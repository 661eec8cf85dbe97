"""A small priced ledger for the HTML report tests, and a parser for the report's tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow

FIRST_DAY = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAYS = 10
# A feature name with markup in it: the page must show it as text.
MARKUP_FEATURE = "<b>beta</b> & co"


def sample_records() -> list[UsageRecord]:
    """Return ten days of chat (Claude) and search (GPT-4o) calls, one marked-up and one unpriced call.

    Per call: chat costs 1,000 input × $3/M + 500 output × $15/M = $0.0105, plus
    on even days 10,000 cache-read tokens × $0.30/M = $0.003; search costs
    2,000 input × $2.50/M + 1,000 output × $10/M = $0.015.
    """
    records = []
    for day in range(DAYS):
        when = FIRST_DAY + timedelta(days=day)
        records.append(
            UsageRecord(
                id=f"chat-{day}",
                timestamp=when,
                provider="anthropic",
                model="claude-sonnet-4-20250514",
                input_tokens=1000,
                cache_read_tokens=10_000 if day % 2 == 0 else 0,
                output_tokens=500,
                feature="chat",
            )
        )
        records.append(
            UsageRecord(
                id=f"search-{day}",
                timestamp=when + timedelta(hours=1),
                provider="openai",
                model="gpt-4o-2024-08-06",
                input_tokens=2000,
                output_tokens=1000,
                reasoning_tokens=0,
                feature="search",
            )
        )
    records.append(
        UsageRecord(
            id="markup-0",
            timestamp=FIRST_DAY,
            provider="anthropic",
            model="claude-sonnet-4-20250514",
            input_tokens=1000,
            output_tokens=500,
            feature=MARKUP_FEATURE,
        )
    )
    records.append(
        UsageRecord(
            id="unpriced-0",
            timestamp=FIRST_DAY + timedelta(days=1),
            provider="acme",
            model="acme-mini",
            input_tokens=100,
            output_tokens=40,
            reasoning_tokens=10,
            feature="search",
        )
    )
    return records


def fill_sample_ledger(ledger: Ledger, catalog: PriceCatalog) -> None:
    """Insert ``sample_records`` into ``ledger``."""
    ledger.insert(records_to_arrow(sample_records()), catalog)


class ReportParser(HTMLParser):
    """Collects each figure's table rows (cell text) and the sections' notes from a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.notes: dict[str, list[str]] = {}
        self.skipped: set[str] = set()
        self._figure: str | None = None
        self._section: str | None = None
        self._cell: list[str] | None = None
        self._note: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "section":
            self._section = named.get("id")
            if named.get("class") == "skipped" and self._section:
                self.skipped.add(self._section)
        elif tag == "figure":
            self._figure = named.get("data-chart")
            if self._figure:
                self.tables[self._figure] = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p" and named.get("class") == "note":
            self._note = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._figure:
            self.tables[self._figure].append(self._row)
        elif tag == "figure":
            self._figure = None
        elif tag == "p" and self._note is not None and self._section:
            self.notes.setdefault(self._section, []).append("".join(self._note))
            self._note = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._note is not None:
            self._note.append(data)


def parse_report(page: str) -> ReportParser:
    """Parse a report page."""
    parser = ReportParser()
    parser.feed(page)
    parser.close()
    return parser
