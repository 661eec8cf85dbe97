"""The Claude Code importer on the real sample and on hand-written edge cases."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from truecost.errors import InputError
from truecost.importers import ImportContext, LineIssue, get_importer, plan_import
from truecost.importers.formats.claude_code import SYNTHETIC_REASON
from truecost.ledger import Ledger
from truecost.ledger.ingest import ImportSummary, import_paths
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "claude-code"
IMPORTER = get_importer("claude-code")


def read_all(
    path: Path, context: ImportContext | None = None
) -> tuple[list[UsageRecord], list[LineIssue]]:
    items = list(IMPORTER.read(path, context or ImportContext()))
    records = [item for item in items if isinstance(item, UsageRecord)]
    issues = [item for item in items if isinstance(item, LineIssue)]
    return records, issues


def line(message_id: str | None, request_id: str | None, output: Any = 10, **extra: Any) -> str:
    usage: dict[str, Any] = {
        "input_tokens": 5,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 1000,
        "cache_creation": {"ephemeral_5m_input_tokens": 60, "ephemeral_1h_input_tokens": 40},
        "output_tokens": output,
        "service_tier": "standard",
    }
    usage.update(extra.pop("usage", {}))
    message: dict[str, Any] = {"model": "claude-sonnet-4-20250514", "usage": usage}
    if message_id is not None:
        message["id"] = message_id
    message.update(extra.pop("message", {}))
    obj: dict[str, Any] = {
        "type": "assistant",
        "sessionId": "s1",
        "uuid": f"u-{message_id}-{output}",
        "timestamp": "2025-09-03T00:47:24.652Z",
        "gitBranch": "main",
        "message": message,
    }
    if request_id is not None:
        obj["requestId"] = request_id
    obj.update(extra)
    return json.dumps(obj)


def write_project(root: Path, files: dict[str, list[str]], project: str = "demo") -> Path:
    folder = root / "projects" / project
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_text("".join(text + "\n" for text in lines))
    return root


def assert_paths_agree(path: Path, context: ImportContext | None = None) -> None:
    context = context or ImportContext()
    records, issues = read_all(path, context)
    bulk = IMPORTER.read_bulk([path], context)
    assert bulk is not None
    assert bulk.table.sort_by("id").equals(records_to_arrow(records).sort_by("id"))
    assert sorted(map(str, bulk.issues)) == sorted(map(str, issues))
    assert bulk.issue_count == len(issues)


def test_sample_unique_requests() -> None:
    records, issues = read_all(SAMPLE)
    assert len(records) == 177
    assert issues == []
    assert len({r.id for r in records}) == 177


def test_sample_token_totals() -> None:
    records, _ = read_all(SAMPLE)
    assert sum(r.input_tokens for r in records) == 911
    assert sum(r.cache_read_tokens for r in records) == 3_751_073
    assert sum(r.cache_write_5m_tokens for r in records) == 150_674
    assert sum(r.cache_write_1h_tokens for r in records) == 0
    assert sum(r.output_tokens for r in records) == 52_886
    assert {r.model for r in records} == {"claude-sonnet-4-20250514"}
    assert {r.feature for r in records} == {"sample-project"}
    assert {r.service_tier for r in records} == {"standard"}


def test_sample_last_line_wins() -> None:
    records, _ = read_all(SAMPLE)
    by_id = {r.id: r for r in records}
    first = by_id["anthropic:msg_01TqDZoU6FcpxB4u2AmpgWfZ:req_011CSkYba8YAUvnXvqT4qm9G"]
    # Line 3 carries the streaming placeholder 8, line 4 the final count.
    assert first.output_tokens == 322
    assert first.source_line == 4
    assert first.timestamp == datetime(2025, 9, 3, 0, 47, 24, 652000, tzinfo=UTC)


def test_sample_bulk_matches_per_line() -> None:
    records, _ = read_all(SAMPLE)
    bulk = IMPORTER.read_bulk([SAMPLE], ImportContext())
    assert bulk is not None
    assert bulk.table.equals(records_to_arrow(records))
    assert bulk.lines_read == 177
    assert bulk.files == 2
    assert bulk.issue_count == 0


def test_sample_folder_claimed_whole() -> None:
    plan = plan_import([SAMPLE])
    assert [(importer.name, path) for importer, path in plan.files] == [("claude-code", SAMPLE)]


def test_single_session_file_detected() -> None:
    session = next((SAMPLE / "projects" / "sample-project").glob("*.jsonl"))
    assert plan_import([session]).files[0][0].name == "claude-code"
    records, _ = read_all(session)
    assert {r.feature for r in records} == {"sample-project"}


def test_other_jsonl_folder_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"model": "gpt-4o", "usage": {"prompt_tokens": 1}}\n')
    assert not IMPORTER.detect_directory(tmp_path)


def test_project_folder_directly(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1")]})
    records, _ = read_all(tmp_path / "projects" / "demo")
    assert [r.feature for r in records] == ["demo"]


def test_cache_split_and_web_searches(tmp_path: Path) -> None:
    usage = {"server_tool_use": {"web_search_requests": 2}}
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1", usage=usage)]})
    records, _ = read_all(tmp_path)
    assert records[0].cache_write_5m_tokens == 60
    assert records[0].cache_write_1h_tokens == 40
    assert records[0].other_units == {"web_searches": 2}
    assert_paths_agree(tmp_path)


def test_cache_total_without_split_is_5m(tmp_path: Path) -> None:
    usage = {"cache_creation": None}
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1", usage=usage)]})
    records, _ = read_all(tmp_path)
    assert records[0].cache_write_5m_tokens == 100
    assert records[0].cache_write_1h_tokens == 0
    assert_paths_agree(tmp_path)


def test_missing_request_id_keys_on_message(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.jsonl": [line("m1", None, 3), line("m1", None, 90)]})
    records, _ = read_all(tmp_path)
    assert [(r.id, r.output_tokens) for r in records] == [("anthropic:m1", 90)]
    assert_paths_agree(tmp_path)


def test_request_in_two_files_counts_once(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.jsonl": [line("m1", "r1", 50)], "b.jsonl": [line("m1", "r1", 50)]})
    records, _ = read_all(tmp_path)
    assert len(records) == 1
    assert records[0].source_file.endswith("b.jsonl")
    assert_paths_agree(tmp_path)


def test_synthetic_line_skipped(tmp_path: Path) -> None:
    synthetic = line("m2", None, 0, message={"model": "<synthetic>"})
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1"), synthetic]})
    records, issues = read_all(tmp_path)
    assert len(records) == 1
    assert [(i.line, i.reason) for i in issues] == [(2, SYNTHETIC_REASON)]
    assert_paths_agree(tmp_path)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "invalid JSON"),
        (
            line("m9", "r9", -3),
            "message.usage.output_tokens must be a non-negative integer, got -3",
        ),
        (
            line("m9", "r9", 1.5),
            "message.usage.output_tokens must be a non-negative integer, got 1.5",
        ),
        (
            line("m9", "r9", "7"),
            "message.usage.output_tokens must be a non-negative integer, got '7'",
        ),
        (line("m9", "r9", True), "message.usage.output_tokens must be a non-negative integer"),
        (line("m9", "r9", 1e3), "message.usage.output_tokens must be a non-negative integer"),
        (line("m9", "r9", 10**20), "message.usage.output_tokens"),
        (
            line("m9", "r9", usage={"cache_creation": {"ephemeral_1h_input_tokens": -1}}),
            "ephemeral_1h_input_tokens must be a non-negative integer",
        ),
        (line("m9", "r9", message={"usage": 5}), "message.usage"),
        (line("m9", "r9", timestamp="yesterday"), "timestamp is not an ISO 8601 timestamp"),
        (line(None, "r9"), "message.id must be a string, got None"),
    ],
)
def test_bad_line_reported(tmp_path: Path, bad: str, reason: str) -> None:
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1"), bad, line("m2", "r2")]})
    records, issues = read_all(tmp_path)
    assert [r.id for r in records] == ["anthropic:m1:r1", "anthropic:m2:r2"]
    assert len(issues) == 1
    assert issues[0].line == 2
    assert issues[0].file.endswith("s.jsonl")
    assert reason in issues[0].reason
    assert_paths_agree(tmp_path)


def test_zero_count_boundary_accepted(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1", 0)]})
    records, issues = read_all(tmp_path)
    assert records[0].output_tokens == 0
    assert issues == []


def test_context_feature_and_attribute_path(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1")]})
    fixed = ImportContext(feature="chatbot", user="ana")
    records, _ = read_all(tmp_path, fixed)
    assert (records[0].feature, records[0].user) == ("chatbot", "ana")
    by_branch = ImportContext(attribute_fields={"feature": "gitBranch", "environment": "sessionId"})
    records, _ = read_all(tmp_path, by_branch)
    assert (records[0].feature, records[0].environment) == ("main", "s1")
    assert_paths_agree(tmp_path, by_branch)


def test_bulk_reads_copied_sample_tree(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE / "projects", tmp_path / "projects")
    assert_paths_agree(tmp_path)


def test_fast_path_taken_on_clean_logs() -> None:
    from truecost.importers.formats.claude_code import find_session_files
    from truecost.importers.formats.claude_code_fast import read_sessions_fast

    result = read_sessions_fast(find_session_files(SAMPLE), ImportContext())
    assert result is not None
    bulk, reread = result
    assert reread == set()
    assert bulk.table.num_rows == 177


def test_fast_path_declines_invalid_json(tmp_path: Path) -> None:
    from truecost.importers.formats.claude_code import find_session_files
    from truecost.importers.formats.claude_code_fast import read_sessions_fast

    project = tmp_path / "projects" / "demo"
    project.mkdir(parents=True)
    source = next((SAMPLE / "projects" / "sample-project").glob("*.jsonl"))
    (project / "s.jsonl").write_text(
        source.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8"
    )
    assert read_sessions_fast(find_session_files(tmp_path), ImportContext()) is None


@pytest.mark.parametrize(
    "stamp",
    [
        "2025-02-30T00:00:00Z",
        "2025-13-01T00:00:00Z",
        "2016-12-31T23:59:60Z",
        "0000-01-01T00:00:00Z",
    ],
)
def test_impossible_timestamp_reported(tmp_path: Path, stamp: str) -> None:
    write_project(tmp_path, {"s.jsonl": [line("m1", "r1"), line("m2", "r2", timestamp=stamp)]})
    records, issues = read_all(tmp_path)
    assert [r.id for r in records] == ["anthropic:m1:r1"]
    assert [(i.line, "timestamp" in i.reason) for i in issues] == [(2, True)]
    assert_paths_agree(tmp_path)


def test_impossible_timestamp_careful_reader(tmp_path: Path) -> None:
    # The invalid JSON line sends the whole tree to the careful reader.
    write_project(
        tmp_path,
        {
            "a.jsonl": ["{not json", line("m1", "r1")],
            "b.jsonl": [line("m2", "r2", timestamp="2025-02-30T00:00:00Z")],
        },
    )
    records, issues = read_all(tmp_path)
    assert [r.id for r in records] == ["anthropic:m1:r1"]
    assert len(issues) == 2
    assert_paths_agree(tmp_path)


def test_bad_later_line_keeps_earlier_file(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "a.jsonl": [line("m1", "r1", 5)],
            "b.jsonl": [line("m1", "r1", message={"usage": "oops"})],
        },
    )
    records, issues = read_all(tmp_path)
    assert [(r.source_file.endswith("a.jsonl"), r.output_tokens) for r in records] == [(True, 5)]
    assert [i.file.endswith("b.jsonl") for i in issues] == [True]
    assert_paths_agree(tmp_path)


def test_bad_lines_in_chain_of_files(tmp_path: Path) -> None:
    # The last line is invalid, and so is the line before it in the file before.
    write_project(
        tmp_path,
        {
            "a.jsonl": [line("m1", "r1", 5)],
            "b.jsonl": [line("m1", "r1", -1)],
            "c.jsonl": [line("m1", "r1", "x")],
        },
    )
    records, issues = read_all(tmp_path)
    assert [(r.source_file.endswith("a.jsonl"), r.output_tokens) for r in records] == [(True, 5)]
    assert len(issues) == 2
    assert_paths_agree(tmp_path)


def test_later_file_wins_over_flagged_file(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"a.jsonl": [line("m1", "r1", 1)], "b.jsonl": ["{not json", line("m1", "r1", 300)]},
    )
    records, _ = read_all(tmp_path)
    assert [(r.source_file.endswith("b.jsonl"), r.output_tokens) for r in records] == [(True, 300)]
    assert_paths_agree(tmp_path)


def test_folder_detected_past_first_file(tmp_path: Path) -> None:
    snapshot = json.dumps({"type": "file-history-snapshot", "messageId": "u1", "snapshot": {}})
    write_project(tmp_path, {"a.jsonl": [snapshot], "b.jsonl": [line("m1", "r1")]})
    (tmp_path / "projects" / "demo" / "0-empty.jsonl").write_text("")
    plan = plan_import([tmp_path])
    assert [(importer.name, path) for importer, path in plan.files] == [("claude-code", tmp_path)]
    records, issues = read_all(tmp_path)
    assert [r.id for r in records] == ["anthropic:m1:r1"]
    assert issues == []
    assert_paths_agree(tmp_path)


def _stored(ledger: Ledger) -> list[tuple[str, int, int]]:
    rows = ledger.con.execute(
        "SELECT id, output_tokens, source_line FROM records ORDER BY id"
    ).fetchall()
    return [(str(a), int(b), int(c)) for a, b, c in rows]


@pytest.mark.parametrize("strict", [False, True])
def test_grown_session_updates_ledger(tmp_path: Path, strict: bool) -> None:
    root = write_project(tmp_path, {"s.jsonl": [line("m1", "r1", 1)]})
    session = root / "projects" / "demo" / "s.jsonl"
    catalog = PriceCatalog()
    with Ledger(None) as ledger:
        import_paths(ledger, [root], catalog, ImportContext(), strict=strict)
        with session.open("a") as handle:
            handle.write(line("m1", "r1", 300) + "\n" + line("m2", "r2", 7) + "\n")
        summary = import_paths(ledger, [root], catalog, ImportContext(), strict=strict)
        assert _stored(ledger) == [("anthropic:m1:r1", 300, 2), ("anthropic:m2:r2", 7, 3)]
        assert summary.replaced == 1
        assert summary.imported == 2
        again = import_paths(ledger, [root], catalog, ImportContext(), strict=strict)
        assert (again.imported, again.duplicates) == (0, 2)


def test_strict_later_file_wins(tmp_path: Path) -> None:
    root = write_project(
        tmp_path, {"a.jsonl": [line("m1", "r1", 1)], "b.jsonl": [line("m1", "r1", 3)]}
    )
    folder = root / "projects" / "demo"
    with Ledger(None) as ledger:
        paths = [folder / "a.jsonl", folder / "b.jsonl"]
        import_paths(ledger, paths, PriceCatalog(), ImportContext(), strict=True)
        assert _stored(ledger) == [("anthropic:m1:r1", 3, 1)]


def test_later_line_in_new_file_updates_ledger(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"s.jsonl": [line("m1", "r1", 3)]})
    with Ledger(None) as ledger:
        import_paths(ledger, [root], PriceCatalog(), ImportContext())
        later = line("m1", "r1", 512, timestamp="2025-09-03T00:47:30.000Z")
        (root / "projects" / "demo" / "s2.jsonl").write_text(
            line("m1", "r1", 3) + "\n" + later + "\n", encoding="utf-8"
        )
        summary = import_paths(ledger, [root], PriceCatalog(), ImportContext())
        assert _stored(ledger) == [("anthropic:m1:r1", 512, 2)]
        assert summary.replaced == 1


def plan_formats(path: Path) -> list[tuple[str, str]]:
    """Return (format, path relative to ``path``) for every entry of the import plan."""
    return sorted(
        (importer.name, str(file.relative_to(path)) if file != path else ".")
        for importer, file in plan_import([path]).files
    )


def test_logs_beside_project_planned(tmp_path: Path) -> None:
    # A Claude Code project inside a folder of other logs: the folder is read as Claude Code,
    # and the API bodies and LiteLLM export kept beside it by their own importers.
    project = tmp_path / "proj"
    shutil.copytree(next((SAMPLE / "projects").iterdir()), project)
    shutil.copy(DATA / "api-responses" / "openai" / "bodies.jsonl", tmp_path / "app.jsonl")
    shutil.copy(DATA / "litellm-langfuse" / "litellm_spend_logs_payload.json", tmp_path)
    assert plan_formats(tmp_path) == [
        ("api-bodies", "app.jsonl"),
        ("claude-code", "."),
        ("litellm", "litellm_spend_logs_payload.json"),
    ]


def test_logs_beside_projects_folder_planned(tmp_path: Path) -> None:
    # Files outside the projects folder are not read by the Claude Code importer.
    shutil.copytree(SAMPLE / "projects", tmp_path / "projects")
    shutil.copy(DATA / "api-responses" / "openai" / "bodies.jsonl", tmp_path / "app.jsonl")
    assert plan_formats(tmp_path) == [("api-bodies", "app.jsonl"), ("claude-code", ".")]


def test_odd_session_start_stays_claude(tmp_path: Path) -> None:
    # A session whose first line has no known shape is still read with its folder, once.
    project = tmp_path / "proj"
    shutil.copytree(next((SAMPLE / "projects").iterdir()), project)
    session = next(project.glob("*.jsonl"))
    session.write_text('{"note": "no known shape"}\n' + session.read_text())
    assert plan_formats(tmp_path) == [("claude-code", ".")]


@pytest.mark.parametrize("strict", [False, True])
def test_other_log_in_projects_reported(tmp_path: Path, strict: bool) -> None:
    # A projects folder is not searched for other logs, so one kept there is named, not lost.
    project = tmp_path / "projects" / "proj"
    shutil.copytree(next((SAMPLE / "projects").iterdir()), project)
    shutil.copy(DATA / "api-responses" / "openai" / "bodies.jsonl", project / "app.jsonl")
    catalog = PriceCatalog()
    with Ledger(None) as ledger:
        if strict:
            with pytest.raises(InputError, match=r"app.jsonl: not a Claude Code session log"):
                import_paths(ledger, [tmp_path], catalog, ImportContext(), strict=True)
            return
        summary = import_paths(ledger, [tmp_path], catalog, ImportContext())
    reasons = [str(issue) for issue in summary.issues]
    assert any("app.jsonl: not a Claude Code session log" in reason for reason in reasons)
    # The sessions' requests, as when the folder contains nothing else.
    assert summary.imported == 177


def import_summary(paths: list[Path]) -> ImportSummary:
    with Ledger(None) as ledger:
        return import_paths(ledger, paths, PriceCatalog(), ImportContext())


def test_sessions_outside_projects_folder_read(tmp_path: Path) -> None:
    # A folder containing projects/, and another folder of a session, an API body and a rotated log.
    sessions = sorted(next((SAMPLE / "projects").iterdir()).glob("*.jsonl"))
    (tmp_path / "projects" / "p1").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    shutil.copy(sessions[0], tmp_path / "projects" / "p1")
    shutil.copy(sessions[1], tmp_path / "other")
    body = DATA / "api-responses" / "openai" / "bodies.jsonl"
    (tmp_path / "other" / "b.jsonl").write_bytes(body.read_bytes().splitlines()[0] + b"\n")
    (tmp_path / "other" / "old.jsonl.1.gz").write_bytes(b"\x1f\x8b")
    summary = import_summary([tmp_path])
    assert summary.imported == 178
    assert [str(issue) for issue in summary.issues] == [
        f"{tmp_path / 'other' / 'old.jsonl.1.gz'}: a compressed log, which truecost does not "
        "read; decompress it and import it"
    ]


def test_log_in_session_folder_given_twice(tmp_path: Path) -> None:
    # A bodies file kept among sessions, named itself and through its folder, is read once by
    # its own importer, and not reported as a session that gave nothing.
    shutil.copytree(next((SAMPLE / "projects").iterdir()), tmp_path / "proj")
    body = tmp_path / "proj" / "app.jsonl"
    shutil.copy(DATA / "api-responses" / "anthropic" / "bodies.jsonl", body)
    alone = import_summary([body]).imported
    for paths in ([tmp_path, body], [body, tmp_path]):
        summary = import_summary(paths)
        assert summary.formats == {"claude-code": 1, "api-bodies": 1}
        assert summary.duplicates == 0
        assert summary.imported == 177 + alone
        assert not any("not a Claude Code session" in str(issue) for issue in summary.issues)
