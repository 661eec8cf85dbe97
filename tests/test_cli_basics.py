"""The command line: exit statuses and one-line errors for a user's mistakes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

import plugin_format  # noqa: F401  (registers the test format)
from truecost.cli.main import main

MODEL = "claude-sonnet-4-20250514"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "app.tiny"
    path.write_text(
        f"a,2025-09-03T10:00:00+00:00,{MODEL},1000,100\n"
        f"b,2025-09-04T10:00:00+00:00,{MODEL},2000,200\n"
        "c,2025-09-04T11:00:00+00:00,house-model-x,50,5\n",
        encoding="utf-8",
    )
    return path


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(tmp_path / "nope.jsonl")], capsys)
    assert status == 2
    assert "nope.jsonl: no such file or folder" in err
    assert "Traceback" not in err


def test_empty_folder_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(tmp_path)], capsys)
    assert status == 2
    assert "contains no log files" in err


def test_unknown_format_exit_2(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(logs), "--input-format", "tiny-test-fromat"], capsys)
    assert status == 2
    assert "Did you mean 'tiny-test-format'?" in err


def test_unknown_dimension_exit_2(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(logs), "--by", "modle"], capsys)
    assert status == 2
    assert "unknown --by dimension 'modle'" in err


def test_bad_date_exit_2(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(logs), "--since", "yesterday"], capsys)
    assert status == 2
    assert "invalid --since 'yesterday'" in err


def test_unreadable_ledger_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "broken.duckdb"
    ledger.write_bytes(b"garbage" * 1000)
    status, _, err = run(["report", "--ledger", str(ledger)], capsys)
    assert status == 2
    assert "cannot open the ledger" in err


def test_missing_ledger_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", "--ledger", str(tmp_path / "none.duckdb")], capsys)
    assert status == 2
    assert "no ledger here yet" in err


def test_report_json_keys(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(logs), "--by", "day,model", "--format", "json"], capsys)
    assert status == 0
    payload = json.loads(out)
    assert payload["requests"] == 3
    # a: 1,000 x $3/M + 100 x $15/M = $0.0045; b: twice that.
    assert payload["total_usd"] == 0.0135
    assert payload["unpriced"] == [
        {
            "provider": "anthropic",
            "model": "house-model-x",
            "requests": 1,
            "tokens": {
                "input_tokens": 50,
                "cache_read_tokens": 0,
                "cache_write_5m_tokens": 0,
                "cache_write_1h_tokens": 0,
                "output_tokens": 5,
                "reasoning_tokens": 0,
            },
            "reason": "no price known; add the model to a --prices file",
        }
    ]
    # Grouped by a time dimension first, groups come in time order.
    keys = [group["key"] for group in payload["groups"]]
    assert keys == [
        {"day": "2025-09-03", "model": MODEL},
        {"day": "2025-09-04", "model": MODEL},
        {"day": "2025-09-04", "model": "house-model-x"},
    ]
    assert payload["groups"][2]["usd"] is None


def test_report_by_model_spend_order(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(logs), "--by", "model", "--format", "json"], capsys)
    assert status == 0
    assert [g["key"]["model"] for g in json.loads(out)["groups"]] == [MODEL, "house-model-x"]


def test_since_after_until_exit_2(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        ["report", str(logs), "--since", "2025-09-05", "--until", "2025-09-01"], capsys
    )
    assert status == 2
    assert "--since 2025-09-05 is not before --until 2025-09-01" in err


def test_where_without_match_says_so(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(logs), "--where", "feature=nosuch"], capsys)
    assert status == 0
    assert out.startswith("No records match the selection")


@pytest.mark.parametrize(
    ("filters", "requests"),
    [
        ([f"model={MODEL}", "model=house-model-x"], 3),
        (["model=house-model-x", f"model={MODEL}"], 3),
        ([f"model={MODEL}", "provider=nosuch"], 0),
    ],
)
def test_where_repeated_dimension(
    logs: Path, capsys: pytest.CaptureFixture[str], filters: list[str], requests: int
) -> None:
    # A record matches one of the values of a dimension, and every dimension named.
    options = [item for value in filters for item in ("--where", value)]
    status, out, _ = run(["report", str(logs), *options, "--format", "json"], capsys)
    assert status == 0
    assert json.loads(out)["requests"] == requests


def test_by_repeated_dimension_once(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(logs), "--by", "model,model", "--format", "json"], capsys)
    assert status == 0
    assert json.loads(out)["by"] == ["model"]


def test_paths_and_ledger_exit_2(
    logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = str(tmp_path / "l.duckdb")
    status, _, err = run(["report", str(logs), "--ledger", ledger], capsys)
    assert status == 2
    assert "not both" in err


def test_timestamp_outside_range_exit_2(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(logs), "--timestamp", "2040-01-01"], capsys)
    assert status == 2
    assert "--timestamp 2040-01-01 is outside 2015 to a year from now" in err


def test_where_bad_syntax_example(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["report", str(logs), "--where", "feature"], capsys)
    assert status == 2
    assert "for example feature=support-bot" in err


def test_import_then_report(logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "l.duckdb")
    status, out, _ = run(
        ["import", str(logs), "--ledger", ledger, "--feature", "support-bot"], capsys
    )
    assert status == 0
    assert "imported: 3" in out
    status, out, _ = run(["import", str(logs), "--ledger", ledger], capsys)
    assert "imported: 0" in out
    status, out, _ = run(
        [
            "report",
            "--ledger",
            ledger,
            "--by",
            "feature",
            "--since",
            "2025-09-04",
            "--format",
            "csv",
        ],
        capsys,
    )
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("feature,requests,input_tokens")
    assert lines[1].startswith("support-bot,2,2050,")


def test_records_jsonl(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["records", str(logs), "--format", "jsonl"], capsys)
    assert status == 0
    records = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[0]["usd"] == "0.004500"
    assert records[2]["usd"] is None


def as_nobody(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run truecost as the unprivileged user (uid 65534), to whom file modes apply."""
    code = "import sys; from truecost.cli.main import main; sys.exit(main(sys.argv[1:]))"
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run(
        [*command, sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(cwd)},
        check=False,
    )


def test_read_only_ledger_reported(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run truecost as a user without write access")
    # pytest's own temporary folders are private to root, so this one is made in /tmp.
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        folder.chmod(0o777)
        ledger = folder / "ro.duckdb"
        assert run(["import", str(logs), "--ledger", str(ledger)], capsys)[0] == 0
        ledger.chmod(0o444)
        probe = as_nobody(["--help"], folder)
        if probe.returncode != 0:
            pytest.skip(
                f"the unprivileged user cannot run this Python: {probe.stderr.strip()[-200:]}"
            )
        done = as_nobody(["report", "--ledger", "ro.duckdb", "--format", "json"], folder)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["requests"] == 3
    assert "Traceback" not in done.stderr


def test_times_in_utc_any_zone(tmp_path: Path) -> None:
    # DuckDB returns TIMESTAMPTZ values in the session's zone, which defaults to the machine's.
    path = tmp_path / "tz.csv"
    path.write_text(
        "id,timestamp,provider,model,input_tokens,output_tokens\n"
        "a,2026-03-31T23:59:59Z,openai,gpt-4o,10,10\n",
        encoding="utf-8",
    )
    code = "import sys; from truecost.cli.main import main; sys.exit(main(sys.argv[1:]))"
    for zone in ("America/Los_Angeles", "Asia/Tokyo"):
        done = subprocess.run(
            [sys.executable, "-c", code, "records", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": zone},
            check=True,
        )
        assert json.loads(done.stdout)["timestamp"] == "2026-03-31T23:59:59.000000+00:00"


def test_cleanup_error_after_interrupt() -> None:
    # Ctrl-C during a query aborts the transaction, so a cleanup step then fails with an
    # error of its own, raised while handling the interrupt.
    from truecost.cli.main import _is_interrupt

    try:
        try:
            raise RuntimeError("Query interrupted")
        except RuntimeError:
            raise duckdb.TransactionException("Current transaction is aborted") from None
    except duckdb.TransactionException as cleanup:
        assert _is_interrupt(cleanup)
    assert not _is_interrupt(duckdb.TransactionException("Current transaction is aborted"))
