"""Line handling of the api-bodies importer: bad lines, dedupe keys, timestamps and re-serializing."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from truecost.importers import ImportContext, LineIssue, detect_file, get_importer
from truecost.importers.base import ImportItem
from truecost.record import UsageRecord

DATA = Path(__file__).parent / "data" / "api-responses"
CHAT = {
    "id": "chatcmpl-abc",
    "object": "chat.completion",
    "created": 1750000000,
    "model": "gpt-4o-mini",
    "usage": {
        "prompt_tokens": 120,
        "completion_tokens": 30,
        "total_tokens": 150,
        "prompt_tokens_details": {"cached_tokens": 100, "audio_tokens": 7},
        "completion_tokens_details": {"reasoning_tokens": 10, "audio_tokens": 5},
    },
}
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "model": "claude-sonnet-4-5",
    "usage": {"input_tokens": 10, "cache_creation_input_tokens": 40, "output_tokens": 3},
}


def read(tmp_path: Path, lines: list[bytes], **options: object) -> list[ImportItem]:
    path = tmp_path / "bodies.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    context = ImportContext(**options)  # type: ignore[arg-type]
    return list(get_importer("api-bodies").read(path, context))


def only_record(items: list[ImportItem]) -> UsageRecord:
    (record,) = items
    assert isinstance(record, UsageRecord)
    return record


def only_issue(items: list[ImportItem]) -> LineIssue:
    (issue,) = items
    assert isinstance(issue, LineIssue)
    return issue


def test_chat_body_splits_cached_and_audio(tmp_path: Path) -> None:
    record = only_record(read(tmp_path, [orjson.dumps(CHAT)]))
    assert record.id == "openai:chatcmpl-abc"
    assert (record.input_tokens, record.cache_read_tokens) == (20, 100)
    assert (record.output_tokens, record.reasoning_tokens) == (30, 10)
    assert record.other_units == {"input_audio_tokens": 7, "output_audio_tokens": 5}
    assert record.flags == []


def test_cached_above_prompt_is_flagged(tmp_path: Path) -> None:
    body = orjson.loads(orjson.dumps(CHAT))
    body["usage"]["prompt_tokens_details"]["cached_tokens"] = 121
    record = only_record(read(tmp_path, [orjson.dumps(body)]))
    assert record.input_tokens == 0
    assert record.flags[0] == (
        "cached (121) and cache-write (0) tokens exceed prompt_tokens (120); input_tokens set to 0"
    )


def test_cached_equal_to_prompt_is_not_flagged(tmp_path: Path) -> None:
    body = orjson.loads(orjson.dumps(CHAT))
    body["usage"]["prompt_tokens_details"]["cached_tokens"] = 120
    record = only_record(read(tmp_path, [orjson.dumps(body)]))
    assert record.input_tokens == 0
    assert record.flags == []


def test_total_mismatch_is_flagged(tmp_path: Path) -> None:
    body = orjson.loads(orjson.dumps(CHAT))
    body["usage"]["total_tokens"] = 151
    record = only_record(read(tmp_path, [orjson.dumps(body)]))
    assert record.flags == [
        "usage.total_tokens is 151 but prompt_tokens + completion_tokens is 150"
    ]


def test_anthropic_write_without_split_is_5m(tmp_path: Path) -> None:
    record = only_record(read(tmp_path, [orjson.dumps(MESSAGE)]))
    assert (record.cache_write_5m_tokens, record.cache_write_1h_tokens) == (40, 0)
    assert record.flags == []


def test_same_response_twice_has_one_id(tmp_path: Path) -> None:
    items = read(
        tmp_path,
        [orjson.dumps(CHAT), orjson.dumps(CHAT, option=orjson.OPT_INDENT_2).replace(b"\n", b" ")],
    )
    ids = {item.id for item in items if isinstance(item, UsageRecord)}
    assert ids == {"openai:chatcmpl-abc"}


def test_body_without_id_hashes_canonical_json(tmp_path: Path) -> None:
    converse = {
        "output": {},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 3, "outputTokens": 2},
    }
    reordered = dict(reversed(list(converse.items())))
    first, second = read(tmp_path, [orjson.dumps(converse), orjson.dumps(reordered)])
    assert isinstance(first, UsageRecord)
    assert isinstance(second, UsageRecord)
    assert first.id == second.id
    assert first.id.startswith("bedrock:sha256:")


def test_mtime_is_fallback_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "bodies.jsonl"
    path.write_bytes(orjson.dumps(MESSAGE) + b"\n")
    os.utime(path, (1700000000, 1700000000))
    (record,) = get_importer("api-bodies").read(path, ImportContext())
    assert isinstance(record, UsageRecord)
    assert record.timestamp == datetime.fromtimestamp(1700000000, tz=UTC)
    assert record.timestamp_source == "file_mtime"


def test_attribute_fields_read_body(tmp_path: Path) -> None:
    body = {**CHAT, "metadata": {"user_id": "u-7", "feature": "search"}}
    record = only_record(
        read(
            tmp_path,
            [orjson.dumps(body)],
            environment="prod",
            attribute_fields={"user": "metadata.user_id", "feature": "metadata.feature"},
        )
    )
    assert (record.user, record.feature, record.environment) == ("u-7", "search", "prod")


def test_bad_lines_yield_issues(tmp_path: Path) -> None:
    negative = orjson.loads(orjson.dumps(CHAT))
    negative["usage"]["completion_tokens"] = -1
    text_count = orjson.loads(orjson.dumps(CHAT))
    text_count["usage"]["prompt_tokens"] = "120"
    lines = [
        b"{not json",
        b"42",
        orjson.dumps(negative),
        orjson.dumps(text_count),
        b'{"hello": "world"}',
        b"[1, 2]",
        b"",
        orjson.dumps(CHAT),
    ]
    items = read(tmp_path, lines)
    issues = [item for item in items if isinstance(item, LineIssue)]
    assert [issue.line for issue in issues] == [1, 2, 3, 4, 5, 6]
    assert issues[0].reason.startswith("not valid JSON (")
    assert issues[1].reason == (
        "a JSON int, expected a response body (object) or a list of stream events"
    )
    assert issues[2].reason == (
        "usage.completion_tokens is -1, a negative token count; fix the value or remove the line"
    )
    assert issues[3].reason == (
        'usage.prompt_tokens is "120" (a string), expected a whole number of tokens; '
        "fix the value or remove the line"
    )
    assert issues[4].reason == (
        "no provider recognises a body with the keys hello; "
        "name the provider with --provider or remove the line"
    )
    assert issues[5].reason.startswith("a JSON list that is not a stream of usage events")
    assert isinstance(items[-1], UsageRecord)
    assert items[-1].source_line == 8


def test_detects_sample_files() -> None:
    for path in sorted(DATA.glob("*/*.jsonl")):
        assert detect_file(path).name == "api-bodies", path


def _shuffled(value: object, data: st.DataObject) -> object:
    if isinstance(value, dict):
        keys = data.draw(st.permutations(list(value)))
        return {key: _shuffled(value[key], data) for key in keys}
    if isinstance(value, list):
        return [_shuffled(item, data) for item in value]
    return value


SAMPLE_LINES = [
    line for path in sorted(DATA.glob("*/*.jsonl")) for line in path.read_bytes().splitlines()[:4]
]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), index=st.integers(0, len(SAMPLE_LINES) - 1), indent=st.booleans())
def test_reserialized_body_parses_same(tmp_path_factory, data, index, indent) -> None:  # type: ignore[no-untyped-def]
    tmp_path = tmp_path_factory.mktemp("bodies")
    original = SAMPLE_LINES[index]
    value = _shuffled(orjson.loads(original), data)
    option = orjson.OPT_INDENT_2 if indent else 0
    spaced = orjson.dumps(value, option=option).replace(b"\n", b" \t ")
    options = {"fallback_timestamp": datetime(2025, 1, 1, tzinfo=UTC)}
    first = read(tmp_path, [original], **options)
    second = read(tmp_path, [spaced], **options)
    assert first == second
