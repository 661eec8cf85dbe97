"""The month-end forecast warns when the ledger ends days before the forecast time."""

from __future__ import annotations

from pathlib import Path

import pytest

import plugin_format  # noqa: F401  (registers the test format)
from truecost.cli.main import main

MODEL = "claude-sonnet-4-20250514"


@pytest.fixture
def ledger(tmp_path: Path) -> str:
    logs = tmp_path / "app.tiny"
    logs.write_text(
        "".join(
            f"r{day},2026-11-{day:02d}T10:00:00+00:00,{MODEL},1000,100\n" for day in range(1, 26)
        ),
        encoding="utf-8",
    )
    path = str(tmp_path / "l.duckdb")
    assert main(["import", str(logs), "--ledger", path]) == 0
    return path


def test_forecast_stale_ledger_warns(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["forecast", "--ledger", ledger, "--as-of", "2026-11-29T12:00:00"]) == 0
    err = capsys.readouterr().err
    assert "warning: the newest record is from 2026-11-25 10:00 UTC, 4 days before" in err


def test_forecast_fresh_ledger_quiet(ledger: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["forecast", "--ledger", ledger, "--as-of", "2026-11-26T12:00:00"]) == 0
    assert capsys.readouterr().err == ""
