"""Benchmark: `truecost report` over a ledger of 10,000,000 records (target: under 1 second).

Builds the ledger once with DuckDB's generate_series (8 models, 12 features, 90 days),
prices it through the normal repricing path, then times the report queries the CLI runs:
the headline totals with unpriced models and month to date, grouped by feature and model.

    .venv/bin/python bench/report_ledger.py [--records 10000000] [--ledger PATH]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from truecost.analyses.spend import Selection, spend_report
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog

MODELS = [
    ("anthropic", "claude-sonnet-4-20250514"),
    ("anthropic", "claude-haiku-4-5-20251001"),
    ("openai", "gpt-4o-2024-08-06"),
    ("openai", "gpt-4o-mini-2024-07-18"),
    ("gemini", "gemini-2.5-pro"),
    ("gemini", "gemini-2.5-flash"),
    ("deepseek", "deepseek-chat"),
    ("acme", "in-house-model"),
]


def build(path: Path, records: int) -> None:
    models = ", ".join(f"('{p}', '{m}')" for p, m in MODELS)
    with Ledger(path) as ledger:
        con = ledger.con
        con.execute(
            f"CREATE TEMP TABLE models(provider VARCHAR, model VARCHAR); INSERT INTO models VALUES {models}"
        ).fetchall()
        con.execute(
            f"""
            INSERT INTO records
            SELECT 'bench-' || i, TIMESTAMPTZ '2026-09-01 00:00:00+00' + to_seconds(i * 7776000 // {records}),
                   m.provider, m.model, 'feature-' || (i % 12), 'user-' || (i % 500), 'prod',
                   500 + i % 3000, (i % 5) * 400, CASE WHEN i % 17 = 0 THEN 1200 ELSE 0 END, 0,
                   50 + i % 900, 0, 0, 0, 0, false, NULL, NULL, 'ok', NULL,
                   'bench', i, 'record', NULL, 'bench', NULL, NULL, NULL, NULL
            FROM range({records}) t(i)
            JOIN (SELECT row_number() OVER () - 1 AS n, * FROM models) m ON m.n = i % {len(MODELS)}
            """
        ).fetchall()
        start = time.perf_counter()
        ledger.ensure_priced(PriceCatalog())
        print(f"priced {records:,} records in {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--ledger", type=Path, default=Path("bench/results/report-10m.duckdb"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.ledger.parent.mkdir(parents=True, exist_ok=True)
    if not args.ledger.exists():
        build(args.ledger, args.records)
    with Ledger(args.ledger) as ledger:
        for by in ([], ["feature", "model"], ["day"]):
            timings = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                report = spend_report(ledger.con, by, Selection())
                timings.append(time.perf_counter() - start)
            print(
                f"report --by {','.join(by) or '(none)':14} {report.requests:,} records: "
                f"median {statistics.median(timings):.3f} s, max {max(timings):.3f} s "
                f"(total ${report.total_usd:,.2f}, {len(report.groups)} groups)"
            )


if __name__ == "__main__":
    main()
