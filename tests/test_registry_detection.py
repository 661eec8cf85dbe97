"""Format detection: a bad line among the first few does not hide the file's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from truecost.cli.main import main
from truecost.errors import MissingInputError, UnknownFormatError
from truecost.importers import detect_file, plan_import

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


def test_column_map_detects_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "when,provider,llm,input_tokens\n2025-10-01T00:00:05Z,openai,gpt-4o,1\n", encoding="utf-8"
    )
    column_map = {"timestamp": "when", "model": "llm"}
    with pytest.raises(UnknownFormatError):
        detect_file(path)
    assert detect_file(path, column_map).name == "csv"
    ((importer, planned),) = plan_import([path], column_map=column_map).files
    assert (importer.name, planned) == ("csv", path)


def test_column_map_detects_renamed_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    path.write_text('{"when": 1, "llm": "gpt-4o", "in": 3}\n', encoding="utf-8")
    with pytest.raises(UnknownFormatError):
        detect_file(path)
    assert detect_file(path, {"model": "llm", "input_tokens": "in"}).name == "jsonl"


def test_records_column_map_detected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "when,provider,llm,input_tokens\n2025-10-01T00:00:05Z,openai,gpt-4o,1\n", encoding="utf-8"
    )
    status = main(["records", str(path), "--column", "timestamp=when", "--column", "model=llm"])
    out = capsys.readouterr().out
    assert status == 0
    assert '"model":"gpt-4o"' in out


def test_file_named_twice_planned_once(tmp_path: Path) -> None:
    # The same file given itself, through its folder and through a link is read once.
    path = tmp_path / "logs" / "bodies.jsonl"
    path.parent.mkdir()
    path.write_bytes(ANTHROPIC.read_bytes())
    link = tmp_path / "link.jsonl"
    link.symlink_to(path)
    plan = plan_import([path, path.parent, link])
    assert [planned for _, planned in plan.files] == [path]


def test_compressed_logs_listed(tmp_path: Path) -> None:
    # A rotated, compressed log is not read, but listed so that it is not lost unnoticed.
    (tmp_path / "app.jsonl").write_bytes(ANTHROPIC.read_bytes())
    (tmp_path / "app.jsonl.1.gz").write_bytes(b"\x1f\x8b")
    (tmp_path / "old.jsonl.gz").write_bytes(b"\x1f\x8b")
    (tmp_path / "notes.txt.gz").write_bytes(b"\x1f\x8b")
    plan = plan_import([tmp_path])
    assert [p.name for _, p in plan.files] == ["app.jsonl"]
    assert [p.name for p in plan.compressed] == ["app.jsonl.1.gz", "old.jsonl.gz"]


def test_folder_of_compressed_logs_says_so(tmp_path: Path) -> None:
    (tmp_path / "old.jsonl.gz").write_bytes(b"\x1f\x8b")
    with pytest.raises(MissingInputError, match=r"compressed logs \(old.jsonl.gz\); decompress"):
        plan_import([tmp_path])


@pytest.mark.parametrize(
    ("header", "listed"),
    [("id,timestamp,mdl,input_tokens", "id, timestamp, mdl, input_tokens"), ("a;b;c", "a;b;c")],
)
def test_csv_without_required_columns_named(tmp_path: Path, header: str, listed: str) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(header + "\n1,2,3,4\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="needs the columns timestamp and model") as raised:
        detect_file(path)
    assert f"its header has: {listed}." in str(raised.value)
