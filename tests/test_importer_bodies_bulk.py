"""The DuckDB path of the api-bodies importer yields exactly the records of the Python path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from truecost.importers import ImportContext, LineIssue, get_importer
from truecost.record import UsageRecord, records_to_arrow

DATA = Path(__file__).parent / "data" / "api-responses"
SAMPLES = sorted(DATA.glob("*/*.jsonl"))
ORDER = [("source_line", "ascending"), ("id", "ascending")]


def both_paths(paths: list[Path], context: ImportContext) -> tuple[pa.Table, pa.Table, int, int]:
    importer = get_importer("api-bodies")
    items = [item for path in paths for item in importer.read(path, context)]
    records = [item for item in items if isinstance(item, UsageRecord)]
    issues = sum(isinstance(item, LineIssue) for item in items)
    bulk = importer.read_bulk(paths, context)
    assert bulk is not None
    python_table = records_to_arrow(records).sort_by(ORDER)
    return python_table, bulk.table.sort_by(ORDER), issues, bulk.issue_count


@pytest.mark.parametrize("path", SAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in SAMPLES])
def test_bulk_matches_python_path(path: Path) -> None:
    context = ImportContext(fallback_timestamp=datetime(2025, 1, 2, tzinfo=UTC), feature="f")
    python_table, bulk_table, python_issues, bulk_issues = both_paths([path], context)
    assert bulk_table.to_pylist() == python_table.to_pylist()
    assert bulk_issues == python_issues


def test_bulk_takes_openai_and_anthropic_lines() -> None:
    importer = get_importer("api-bodies")
    context = ImportContext()
    bulk = importer.read_bulk([DATA / "openai" / "bodies.jsonl"], context)
    assert bulk is not None
    assert bulk.table.num_rows == 153
    assert bulk.lines_read == 161
    assert bulk.issue_count == 8


def test_bulk_matches_with_bad_and_blank_lines(tmp_path: Path) -> None:
    good = (DATA / "openai" / "bodies.jsonl").read_bytes().splitlines()[:3]
    body = orjson.loads(good[0])
    body["usage"]["prompt_tokens"] = "48"
    lines = [good[0], b"", b"not json", orjson.dumps(body), b"   ", good[1], good[2] + b"\r"]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    python_table, bulk_table, python_issues, bulk_issues = both_paths([path], ImportContext())
    assert bulk_table.to_pylist() == python_table.to_pylist()
    assert bulk_table.column("source_line").to_pylist() == [1, 6, 7]
    assert (python_issues, bulk_issues) == (2, 2)


def test_bulk_declines_forced_provider() -> None:
    importer = get_importer("api-bodies")
    context = ImportContext(provider="openai")
    assert importer.read_bulk([DATA / "openai" / "bodies.jsonl"], context) is None
