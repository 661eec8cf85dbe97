"""Our price against the cost OpenRouter reported, call by call, on real recorded responses."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from truecost.importers import ImportContext
from truecost.ledger import Ledger
from truecost.ledger.ingest import import_paths
from truecost.pricing import PriceCatalog

OPENROUTER = Path(__file__).parent / "data" / "api-responses" / "openrouter"

# Calls where our price differs from the reported cost, with the reason found in the body.
EXPECTED_DIFFERENCES = {
    (
        "bodies.jsonl",
        1,
    ): "cache writes billed at 1.25x input; the price data has no cache-write price",
    ("bodies.jsonl", 2): "cache reads billed at another rate than the price data's",
    (
        "bodies.jsonl",
        5,
    ): "an executed server tool call adds a fee; ours equals upstream_inference_cost",
    ("bodies.jsonl", 8): "an OpenRouter fee of $0.002 that the body does not itemise",
    ("bodies.jsonl", 12): "served by AtlasCloud, whose price differs from OpenRouter's list price",
    ("bodies.jsonl", 19): "web search plugin fee; the price data has no web-search price",
    ("bodies.jsonl", 20): "web search plugin fee; the price data has no web-search price",
    ("bodies.jsonl", 28): "Gemini 2.5 Flash cache reads at $0.03/M; the price data says $0.075/M",
    ("streams.jsonl", 1): "served by an upstream whose price differs from OpenRouter's list price",
    ("streams.jsonl", 5): "web search plugin fee; the price data has no web-search price",
    ("streams.jsonl", 6): "web search plugin fee; the price data has no web-search price",
}


def load(catalog: PriceCatalog) -> list[tuple[str, int, str, Decimal, Decimal | None]]:
    ledger = Ledger(None)
    context = ImportContext(fallback_timestamp=datetime(2026, 7, 1, tzinfo=UTC))
    import_paths(ledger, [OPENROUTER], catalog, context)
    rows = ledger.con.execute(
        "SELECT source_file, source_line, model, reported_cost_usd, cost_usd FROM records "
        "WHERE reported_cost_usd IS NOT NULL ORDER BY source_file, source_line"
    ).fetchall()
    ledger.close()
    return [(Path(f).name, line, model, reported, ours) for f, line, model, reported, ours in rows]


def test_openrouter_costs_match_except_listed(catalog: PriceCatalog) -> None:
    rows = load(catalog)
    priced = [row for row in rows if row[4] is not None]
    differing = {(name, line) for name, line, _, reported, ours in priced if reported != ours}
    assert differing == set(EXPECTED_DIFFERENCES)
    assert len(priced) - len(differing) == 29


def test_openrouter_free_model_unpriced(catalog: PriceCatalog) -> None:
    rows = load(catalog)
    unpriced = [(name, line, model) for name, line, model, _, ours in rows if ours is None]
    assert unpriced == [("streams.jsonl", 2, "minimax/minimax-m2:free")]


def test_openrouter_tool_fee_is_the_difference(catalog: PriceCatalog) -> None:
    rows = {(name, line): (reported, ours) for name, line, _, reported, ours in load(catalog)}
    reported, ours = rows[("bodies.jsonl", 5)]
    # upstream_inference_cost in the body is 0.0001764: 900 x $0.15/M + 69 x $0.60/M.
    assert ours == Decimal("0.0001764")
    assert reported - ours == Decimal("0.015885")
