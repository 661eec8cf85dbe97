"""Measure the month-end forecast and both spike rules on a synthetic ledger.

Run: ``.venv/bin/python bench/alerts_measure.py`` (a few seconds).
The ledger contains 242 days (2025-09-01 to 2026-04-30) of three features with a
weekly pattern, a Monday-only batch job, a growing trend and 12 injected
spikes. It prints the backtest and, for each spike rule, the true and false
alerts over every day after the first four weeks.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from synthetic_usage import InjectedSpike, synthetic_records
from truecost.analyses.monthend import backtest
from truecost.analyses.spend import Selection
from truecost.analyses.spikes import SpikeSettings, detect_spikes
from truecost.ledger import Ledger
from truecost.outputs.monthend import render_backtest
from truecost.pricing import PriceCatalog
from truecost.record import records_to_arrow

START = date(2025, 9, 1)
DAYS = 242
SPIKES = tuple(
    InjectedSpike(START + timedelta(days=offset), feature, multiplier)
    for offset, feature, multiplier in [
        (40, "chat", 3.0),
        (55, "search", 4.0),
        (61, "chat", 2.5),
        (75, "search", 3.0),
        (90, "chat", 4.0),
        (104, "search", 5.0),
        (125, "chat", 3.0),
        (140, "search", 3.5),
        (160, "chat", 2.5),
        (181, "search", 4.0),
        (200, "chat", 3.0),
        (222, "search", 3.0),
    ]
)


def score(con: object, method: str) -> tuple[int, int, int]:
    """Return (true alerts, false alerts, missed spikes) at feature level for one rule."""
    days = [START + timedelta(days=d) for d in range(28, DAYS)]
    settings = SpikeSettings(method=method)
    fired = {
        (s.day, s.value)
        for s in detect_spikes(con, days, settings, Selection())
        if s.dimension == "feature"
    }  # type: ignore[arg-type]
    truth = {(s.day, s.feature) for s in SPIKES}
    return len(fired & truth), len(fired - truth), len(truth - fired)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder) / "ledger.duckdb")
        ledger.insert(
            records_to_arrow(synthetic_records(START, DAYS, spikes=SPIKES)), PriceCatalog()
        )
        print(render_backtest(backtest(ledger.con, Selection()), "markdown"))
        print()
        print("| spike rule | true alerts | false alerts | missed |")
        print("|---|---:|---:|---:|")
        for method in ("trailing", "weekday"):
            true, false, missed = score(ledger.con, method)
            print(f"| {method} | {true} | {false} | {missed} |")
        ledger.close()


if __name__ == "__main__":
    main()
