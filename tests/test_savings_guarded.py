"""A user error inside one optimization is reported per feature; programming errors still raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from truecost.analyses.spend import Selection
from truecost.config.savings import SavingsConfig
from truecost.errors import ConfigError
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow
from truecost.savings import Outcome, ReplayContext
from truecost.savings.guarded import apply_guarded
from truecost.savings.report import load_records, run_savings

PROMPTS = Path(__file__).parent / "data" / "system-prompts"
CODEX = PROMPTS / "OpenAI__Codex__old__gpt-5-codex.txt"
START = datetime(2025, 6, 1, tzinfo=UTC)


def _records(feature: str, count: int, offset: int = 0) -> list[UsageRecord]:
    return [
        UsageRecord(
            id=f"{feature}-{i}",
            timestamp=START + timedelta(minutes=offset + i),
            provider="openai",
            model="gpt-4o-2024-08-06",
            feature=feature,
            input_tokens=2000,
            output_tokens=10,
        )
        for i in range(count)
    ]


def _ledger(ledger: Ledger, catalog: PriceCatalog) -> None:
    ledger.insert(records_to_arrow(_records("chat", 3) + _records("search", 2, 10)), catalog)


def test_prompt_file_drives_prompt_length(ledger: Ledger, catalog: PriceCatalog) -> None:
    _ledger(ledger, catalog)
    config = SavingsConfig(system_prompt_files={"chat": CODEX, "search": CODEX})
    report = run_savings(ledger.con, ReplayContext(catalog, config), names=["prompt_length"])
    saving = report.alone[0]
    # 2 removable tokens on each of 5 requests at 2.50 USD per million input tokens.
    assert saving.saved_usd == Decimal("0.000025")
    assert saving.changed_records == 5
    assert saving.not_estimated == []
    assert saving.notes[0] == (
        "chat: system prompt of 1,538 tokens, about 76.9% of input tokens; 0 repeated and "
        "1 empty sections (2 tokens) could go."
    )


def test_missing_prompt_file_fails_one_feature(
    ledger: Ledger, catalog: PriceCatalog, tmp_path: Path
) -> None:
    _ledger(ledger, catalog)
    missing = tmp_path / "missing.txt"
    config = SavingsConfig(system_prompt_files={"chat": CODEX, "search": missing})
    report = run_savings(ledger.con, ReplayContext(catalog, config), names=["prompt_length"])
    saving = report.alone[0]
    # Only chat's 3 requests lose their 2 tokens; search could not be estimated.
    assert saving.saved_usd == Decimal("0.000015")
    assert saving.changed_records == 3
    [failed] = saving.not_estimated
    assert failed.feature == "search"
    assert failed.records == 2
    assert failed.reason == (
        f"could not estimate: {missing}: cannot read the system prompt file "
        f"([Errno 2] No such file or directory: '{missing}')."
    )


class _Raises:
    name = "raises"
    title = "Raises for one feature"
    needs_texts = False

    def __init__(self, error: type[Exception]) -> None:
        self.error = error

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        if "search" in records.column("feature").to_pylist():
            raise self.error("search is broken")
        return Outcome(records, notes=[f"{records.num_rows} rows"], assumptions=["same"])


def test_user_error_reported_per_feature(ledger: Ledger, catalog: PriceCatalog) -> None:
    _ledger(ledger, catalog)
    records, _ = load_records(ledger.con, Selection())
    outcome = apply_guarded(_Raises(ConfigError), records, ReplayContext(catalog))
    assert outcome.records.column("id").equals(records.column("id"))
    assert outcome.notes == ["3 rows"]
    assert outcome.assumptions == ["same"]
    [failed] = outcome.not_estimated
    assert (failed.feature, failed.records) == ("search", 2)
    assert failed.reason == "could not estimate: search is broken"


def test_programming_error_propagates(ledger: Ledger, catalog: PriceCatalog) -> None:
    _ledger(ledger, catalog)
    records, _ = load_records(ledger.con, Selection())
    with pytest.raises(ValueError, match="search is broken"):
        apply_guarded(_Raises(ValueError), records, ReplayContext(catalog))
