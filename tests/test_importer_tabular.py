"""The generic CSV and JSONL importers: round trips, column maps and bad rows."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truecost.cli.main import main
from truecost.errors import InputError
from truecost.importers import ImportContext, LineIssue, detect_file, get_importer
from truecost.importers.formats.tabular import MAX_CELL_CHARS, TABULAR_FIELDS, row_of
from truecost.record import UsageRecord

CSV = get_importer("csv")
JSONL = get_importer("jsonl")


def write_csv(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or list(TABULAR_FIELDS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def items(path: Path, importer=CSV, context: ImportContext | None = None) -> list[object]:  # type: ignore[no-untyped-def]
    return list(importer.read(path, context or ImportContext()))


text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)
records = st.builds(
    UsageRecord,
    id=text,
    timestamp=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    provider=text,
    model=text,
    input_tokens=st.integers(0, 10**9),
    cache_read_tokens=st.integers(0, 10**9),
    cache_write_5m_tokens=st.integers(0, 10**9),
    cache_write_1h_tokens=st.integers(0, 10**9),
    output_tokens=st.integers(0, 10**9),
    reasoning_tokens=st.integers(0, 10**9),
    other_units=st.one_of(
        st.just({}), st.builds(lambda n: {"web_searches": n}, st.integers(1, 50))
    ),
    feature=st.none() | text,
    user=st.none() | text,
    environment=st.none() | text,
    batch=st.booleans(),
    service_tier=st.none() | text,
    latency_ms=st.none() | st.integers(0, 10**7),
    status=text,
    reported_cost_usd=st.none() | st.decimals(min_value=0, max_value=10**6, places=12),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(records, min_size=1, max_size=5))
def test_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, rows: list[UsageRecord]) -> None:
    path = write_csv(tmp_path_factory.mktemp("csv") / "usage.csv", [row_of(r) for r in rows])
    read = items(path)
    assert all(isinstance(r, UsageRecord) for r in read)
    for original, copy in zip(rows, read, strict=True):
        assert isinstance(copy, UsageRecord)
        copy.source_file, copy.source_line, copy.format = "", 0, ""
        assert copy == original


def test_csv_detected_and_id_hashed(tmp_path: Path) -> None:
    row = {
        "timestamp": "2025-01-02T03:04:05Z",
        "provider": "openai",
        "model": "gpt-4o",
        "input_tokens": "7",
    }
    path = write_csv(tmp_path / "u.csv", [row, row], fields=list(row))
    assert detect_file(path).name == "csv"
    first, second = items(path)
    assert isinstance(first, UsageRecord) and isinstance(second, UsageRecord)
    assert first.id.startswith("row:")
    assert first.id != second.id
    assert items(path)[0].id == first.id  # type: ignore[union-attr]
    assert first.timestamp == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert first.input_tokens == 7


def test_csv_column_map_and_epoch(tmp_path: Path) -> None:
    row = {
        "when": "1735787045",
        "llm": "claude-3-5-haiku",
        "in": "3",
        "out": "4",
        "cost": "0.000123",
    }
    path = write_csv(tmp_path / "u.csv", [row], fields=list(row))
    context = ImportContext(
        provider="anthropic",
        column_map={
            "timestamp": "when",
            "model": "llm",
            "input_tokens": "in",
            "output_tokens": "out",
            "reported_cost_usd": "cost",
        },
    )
    (record,) = items(path, CSV, context)
    assert isinstance(record, UsageRecord)
    assert record.timestamp == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (record.provider, record.model, record.input_tokens, record.output_tokens) == (
        "anthropic",
        "claude-3-5-haiku",
        3,
        4,
    )
    assert record.reported_cost_usd == Decimal("0.000123")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("output_tokens", "-1", "column 'output_tokens' must be a non-negative integer, got '-1'"),
        (
            "output_tokens",
            "1.5",
            "column 'output_tokens' must be a non-negative integer, got '1.5'",
        ),
        (
            "timestamp",
            "soon",
            "column 'timestamp' is not an ISO 8601 timestamp or epoch seconds: 'soon'",
        ),
        ("model", "", "column 'model' is missing or empty"),
        ("batch", "maybe", "column 'batch' must be true or false, got 'maybe'"),
        ("reported_cost_usd", "-0.01", "must be a non-negative amount in USD, got '-0.01'"),
    ],
)
def test_csv_bad_cell_reported(tmp_path: Path, column: str, value: str, reason: str) -> None:
    good = {
        "timestamp": "2025-01-02T03:04:05Z",
        "provider": "openai",
        "model": "gpt-4o",
        "output_tokens": "0",
        "batch": "",
        "reported_cost_usd": "",
    }
    bad = {**good, column: value}
    path = write_csv(tmp_path / "u.csv", [good, bad, good], fields=list(good))
    result = items(path)
    issues = [i for i in result if isinstance(i, LineIssue)]
    assert len([r for r in result if isinstance(r, UsageRecord)]) == 2
    assert len(issues) == 1
    assert issues[0].line == 3
    assert reason in issues[0].reason
    assert str(issues[0]).startswith(f"{path}:3: ")


def test_csv_missing_header_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "u.csv", [{"timestamp": "2025-01-02", "llm": "x"}], fields=["timestamp", "llm"]
    )
    with pytest.raises(InputError, match="the header has no column 'model'"):
        items(path)


def test_unknown_column_map_field(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", [], fields=["timestamp", "model"])
    with pytest.raises(InputError, match="unknown record fields \\['modle'\\]"):
        items(path, CSV, ImportContext(column_map={"modle": "m"}))


def test_jsonl_rows_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        '{"id": "a", "timestamp": 1735787045.25, "provider": "openai", "model": "gpt-4o", '
        '"input_tokens": 10, "output_tokens": 2, "reported_cost_usd": 0.000045}',
        "not json",
        '{"timestamp": "2025-01-02T03:04:05+02:00", "provider": "openai", "model": "gpt-4o", "output_tokens": 2.5}',
        "[1, 2]",
    ]
    path = tmp_path / "u.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert detect_file(path).name == "jsonl"
    first, *issues = items(path, JSONL)
    assert isinstance(first, UsageRecord)
    assert first.timestamp == datetime(2025, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)
    assert first.reported_cost_usd == Decimal("0.000045")
    assert [(i.line, i.reason.split(" (")[0]) for i in issues] == [  # type: ignore[union-attr]
        (2, "invalid JSON"),
        (
            3,
            "column 'output_tokens' must be a non-negative integer, got Decimal('2.5'); fix or remove the row",
        ),
        (4, "the line is not a JSON object; remove it"),
    ]


def test_jsonl_detection_priority_lowest() -> None:
    assert JSONL.detect_priority > max(
        imp.detect_priority for imp in (get_importer("claude-code"), get_importer("litellm"))
    )


def test_jsonl_fixed_provider_needed(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text(json.dumps({"timestamp": "2025-01-02", "model": "m", "input_tokens": 1}) + "\n")
    (issue,) = items(path, JSONL)
    assert isinstance(issue, LineIssue)
    assert "column 'provider' is missing or empty" in issue.reason
    (record,) = items(path, JSONL, ImportContext(provider="mistral"))
    assert isinstance(record, UsageRecord)
    assert record.provider == "mistral"


def test_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,timestamp,provider,model,input_tokens,output_tokens\n"
        b"r1,2025-09-03T10:00:00Z,anthropic,claude-sonnet-4-20250514,100,10\n"
    )
    importer = detect_file(path)
    items = list(importer.read(path, ImportContext()))
    assert importer.name == "csv"
    assert [item.id for item in items] == ["r1"]


def test_csv_not_utf8_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"id,timestamp,provider,model,input_tokens,output_tokens,feature\n"
        b"r1,2025-09-03T10:00:00Z,anthropic,claude-sonnet-4-20250514,100,10,caf\xe9\n"
    )
    with pytest.raises(
        InputError, match=r"latin1\.csv: the file is not UTF-8 \(it contains the byte 0xe9\)"
    ):
        list(detect_file(path).read(path, ImportContext()))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "timestamp,provider,model,prompt_tokens,completion_tokens",
            "column 'prompt_tokens' looks like input_tokens; map it with --column input_tokens=prompt_tokens",
        ),
        (
            "timestamp,provider,model,input_tokens,outptu_tokens",
            "column 'outptu_tokens' looks like output_tokens; map it with --column output_tokens=outptu_tokens",
        ),
        (
            "timestamp,provider,model,tokens_in,tokens_out",
            "no token column (expected one of input_tokens",
        ),
    ],
)
def test_csv_token_columns_checked(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(f"{header}\n2025-01-02T03:04:05Z,openai,gpt-4o,1000,1000\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        list(get_importer("csv").read(path, ImportContext()))


def test_column_map_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "timestamp,provider,model,input_tokens,output_tokens\n2025-01-02T03:04:05Z,openai,gpt-4o,1,1\n",
        encoding="utf-8",
    )
    context = ImportContext(column_map={"input_tokens": "inn"})
    with pytest.raises(
        InputError, match=re.escape("--column input_tokens=inn: there is no column 'inn'")
    ):
        list(get_importer("csv").read(path, context))


def test_jsonl_token_key_typo(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    row = {
        "timestamp": "2025-01-02T03:04:05Z",
        "provider": "openai",
        "model": "gpt-4o",
        "input_tokens": 5,
        "output_token": 7,
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'output_token' looks like output_tokens"):
        list(get_importer("jsonl").read(path, ImportContext()))


HEADER = "timestamp,provider,model,input_tokens,output_tokens"
GOOD_ROW = "2025-10-01T00:00:05Z,openai,gpt-4o,1,1"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            f"{GOOD_ROW},9",
            "the row has 6 cells but the header has 5; quote any cell that contains a comma",
        ),
        (
            f"{GOOD_ROW},,",
            "the row has 7 cells but the header has 5; remove the trailing commas",
        ),
        (
            "2025-10-01T00:00:05Z,openai,gpt-4o,1",
            "the row has 4 cells but the header has 5; add the missing cells",
        ),
        ('""', "the row has 1 cell but the header has 5"),
    ],
)
def test_csv_cell_count_mismatch(tmp_path: Path, row: str, reason: str) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(f"{HEADER}\n{GOOD_ROW}\n\n{row}\n{GOOD_ROW}\n", encoding="utf-8")
    result = items(path)
    issues = [i for i in result if isinstance(i, LineIssue)]
    assert len([r for r in result if isinstance(r, UsageRecord)]) == 2
    assert len(issues) == 1
    assert str(issues[0]).startswith(f"{path}:4: {reason}")


@pytest.mark.parametrize(
    ("text", "output_tokens"),
    [
        pytest.param(f"{HEADER}\n2025-10-01T00:00:05Z,openai,gpt-4o,1,\n", 0, id="empty last cell"),
        pytest.param(f"{HEADER},,\n{GOOD_ROW},,\n", 1, id="repeated unnamed columns"),
    ],
)
def test_csv_empty_cells_import(tmp_path: Path, text: str, output_tokens: int) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(text, encoding="utf-8")
    (record,) = items(path)
    assert isinstance(record, UsageRecord)
    assert record.input_tokens == 1
    assert record.output_tokens == output_tokens


def test_csv_repeated_column_rejected(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "timestamp,provider,model,input_tokens,model,user,user\n"
        "2025-10-01T00:00:05Z,openai,gpt-4o,1,gpt-5,a,b\n",
        encoding="utf-8",
    )
    message = f"{path}:1: the header repeats 'model' (columns 3, 5), 'user' (columns 6, 7);"
    with pytest.raises(InputError, match=re.escape(message)):
        items(path)


def test_csv_repeated_column_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(f"{HEADER},model\n{GOOD_ROW},gpt-5\n", encoding="utf-8")
    status = main(["import", str(path), "--ledger", str(tmp_path / "ledger.duckdb")])
    err = capsys.readouterr().err
    assert status == 2
    assert "the header repeats 'model' (columns 3, 6)" in err
    assert "Traceback" not in err


def test_csv_long_cells(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    lengths = [200_000, MAX_CELL_CHARS, MAX_CELL_CHARS + 1]
    rows = [f"{GOOD_ROW},{'x' * length}" for length in lengths]
    path.write_text(
        "\n".join([f"{HEADER},notes", *rows, f"{GOOD_ROW},short"]) + "\n", encoding="utf-8"
    )
    result = items(path)
    assert [type(item) for item in result] == [UsageRecord, UsageRecord, LineIssue, UsageRecord]
    issue = result[2]
    assert isinstance(issue, LineIssue)
    assert issue.line == 4
    assert f"a cell may contain at most {MAX_CELL_CHARS:,} characters" in issue.reason


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('"model": ["gpt-4o"]', "column 'model' is a list; write the model name as text"),
        ('"timestamp": 1759400000000', "if it counts milliseconds, divide it by 1,000"),
    ],
)
def test_jsonl_odd_values_named(tmp_path: Path, cell: str, message: str) -> None:
    row = {"timestamp": 1759400000, "provider": "openai", "model": "gpt-4o", "input_tokens": 1}
    text = json.dumps(row)[:-1] + ", " + cell + "}"
    path = tmp_path / "odd.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    (issue,) = list(get_importer("jsonl").read(path, ImportContext()))
    assert isinstance(issue, LineIssue)
    assert message in issue.reason
