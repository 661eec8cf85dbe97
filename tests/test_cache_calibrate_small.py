"""cache calibrate rejects data too small to measure a wrong-hit share."""

from __future__ import annotations

from pathlib import Path

import pytest

from truecost.cache.labeled import load_labeled
from truecost.cli.main import main

SLICE = Path(__file__).parent / "data" / "banking77" / "slice.csv"


@pytest.mark.parametrize("limit", ["2", "5"])
def test_calibrate_too_few_texts(limit: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "calibrate", str(SLICE), "--limit", limit]) == 2
    err = capsys.readouterr().err
    assert f"{limit} texts with {limit} labels are too few to calibrate" in err
    assert "Traceback" not in err


def test_calibrate_unique_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "pairs.csv"
    rows = "".join(f"question number {i},label{i}\n" for i in range(30))
    data.write_text("text,category\n" + rows, encoding="utf-8")
    assert main(["cache", "calibrate", str(data)]) == 2
    assert "30 texts with 30 labels are too few to calibrate" in capsys.readouterr().err


def test_csv_long_text_loads(tmp_path: Path) -> None:
    # Longer than the csv module's default limit of 131,072 characters per cell.
    path = tmp_path / "long.csv"
    path.write_text("text,category\n" + "word " * 40_000 + ",a\nshort,b\n", encoding="utf-8")
    data = load_labeled(path)
    assert len(data.texts) == 2
    assert data.labels == ["a", "b"]
