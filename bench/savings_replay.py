"""Benchmark: replay 1,000,000 synthetic ledger records through every optimization that needs no texts.

Run: .venv/bin/python bench/savings_replay.py [RECORDS]
The target is under 30 seconds for 1,000,000 records; the script exits 1 above it.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa

from truecost.config.savings import SavingsConfig
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import ARROW_SCHEMA
from truecost.savings import ReplayContext
from truecost.savings.registry import get_optimization, optimization_names
from truecost.savings.report import run_savings

TARGET_SECONDS = 30.0
MODELS = [
    ("anthropic", "claude-sonnet-4-20250514"),
    ("anthropic", "claude-3-5-haiku-20241022"),
    ("openai", "gpt-4o-2024-08-06"),
    ("openai", "gpt-4o-mini"),
    ("gemini", "gemini-2.5-flash"),
]
FEATURES = ["support-bot", "search", "nightly-summaries", "code-review", "tagging"]


def synthetic_records(count: int, seed: int = 7) -> pa.Table:
    """Return ``count`` records over 30 days with mixed models, features, caching and outputs."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(MODELS), count)
    start = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp() * 1_000_000)
    ts = np.sort(rng.integers(start, start + 30 * 86_400_000_000, count))
    prompt = rng.integers(200, 8000, count)
    cached = np.where(rng.random(count) < 0.3, np.minimum(prompt, 1500), 0)
    columns: dict[str, pa.Array] = {f.name: pa.nulls(count, f.type) for f in ARROW_SCHEMA}
    columns["id"] = pa.array([f"bench-{i}" for i in range(count)])
    columns["ts"] = pa.array(ts, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    columns["provider"] = pa.array([MODELS[i][0] for i in pick])
    columns["model"] = pa.array([MODELS[i][1] for i in pick])
    columns["feature"] = pa.array(np.array(FEATURES)[rng.integers(0, len(FEATURES), count)])
    zero = np.zeros(count, dtype=np.int64)
    for name in (
        "cache_write_5m_tokens",
        "cache_write_1h_tokens",
        "reasoning_tokens",
        "web_searches",
        "input_audio_tokens",
        "output_audio_tokens",
        "source_line",
    ):
        columns[name] = pa.array(zero)
    columns["input_tokens"] = pa.array(prompt - cached)
    columns["cache_read_tokens"] = pa.array(cached)
    columns["output_tokens"] = pa.array(rng.integers(5, 1500, count))
    columns["batch"] = pa.array(np.zeros(count, dtype=bool))
    columns["status"] = pa.array(["ok"] * count)
    return pa.table(columns, schema=ARROW_SCHEMA)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    catalog = PriceCatalog()
    ledger = Ledger(None)
    ledger.insert(synthetic_records(count), catalog)
    names = [n for n in optimization_names() if not get_optimization(n).needs_texts]
    # The storage price makes prompt caching also price Gemini explicit caching.
    config = SavingsConfig(
        not_realtime_features=["nightly-summaries"],
        static_prefix_tokens={"support-bot": 2400, "code-review": 1800},
        gemini_storage_usd_per_mtok_hour=Decimal("1.00"),
    )
    began = time.perf_counter()
    report = run_savings(ledger.con, ReplayContext(catalog, config), names=names)
    seconds = time.perf_counter() - began
    print(f"records: {report.records:,}; optimizations: {', '.join(names)}")
    for saving in report.alone:
        print(
            f"  {saving.name}: saved {saving.saved_usd:.2f} USD, {saving.changed_records:,} changed"
        )
    print(f"combined: {report.combined_saved_usd:.2f} of {report.baseline_usd:.2f} USD")
    print(f"replay seconds: {seconds:.2f} (target {TARGET_SECONDS:.0f})")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0 if seconds < TARGET_SECONDS or count < 1_000_000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
