"""Format detection: a bad line among the first few does not hide the file's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from truecost.errors import UnknownFormatError
from truecost.importers import detect_file

ANTHROPIC = Path(__file__).parent / "data" / "api-responses" / "anthropic" / "bodies.jsonl"


def first_lines(count: int) -> list[str]:
    with ANTHROPIC.open(encoding="utf-8") as handle:
        return [next(handle) for _ in range(count)]


@pytest.mark.parametrize("bad_at", [0, 1, 3])
def test_bad_line_in_head_detected(tmp_path: Path, bad_at: int) -> None:
    lines = first_lines(3)
    lines.insert(bad_at, "not json\n")
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    assert detect_file(path).name == "api-bodies"


def test_only_bad_lines_unknown(tmp_path: Path) -> None:
    path = tmp_path / "junk.jsonl"
    path.write_text("not json\nstill not\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="no importer recognises this file"):
        detect_file(path)
