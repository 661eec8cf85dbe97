"""Claude Code session logs: ``~/.claude/projects/<project>/<session>.jsonl``.

Claude Code writes one JSON line per content block of an assistant message,
and every one of those lines repeats the usage of the same request. The
earlier lines carry a streaming placeholder for ``output_tokens``, so each
request (``message.id`` + ``requestId``) counts once, with the counts of its
last line. A request copied into another session file (a resumed session)
also counts once: the last occurrence in file order wins. Sub-agent lines
(``isSidechain``) are billed requests like any other and are included.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from truecost.importers.base import BulkResult, ImportContext, Importer, ImportItem, LineIssue
from truecost.importers.formats._values import (
    BadValue,
    nested,
    optional_text,
    parse_timestamp,
    token_count,
)
from truecost.importers.registry import read_head, register
from truecost.record import (
    TIMESTAMP_FROM_OPTION,
    TIMESTAMP_FROM_RECORD,
    WEB_SEARCHES,
    UsageRecord,
)

FORMAT_NAME = "claude-code"
PROVIDER = "anthropic"
SYNTHETIC_MODEL = "<synthetic>"
SYNTHETIC_REASON = (
    "model <synthetic>: a message Claude Code wrote itself (such as an API error notice), "
    "not a billed request; skipped"
)
_PROJECTS_FOLDER = "projects"
_SESSION_SUFFIX = ".jsonl"
_SESSION_LINE_TYPES = {"user", "assistant", "system", "summary"}
# Session files looked at, in path order, before a folder is taken as not Claude Code.
_DETECTION_SAMPLE = 20


@dataclass(frozen=True, slots=True)
class SessionFile:
    """A session log and the project folder it belongs to."""

    path: Path
    project: str


@dataclass
class SessionScan:
    """The requests of one session file, last line per request, plus its skipped lines."""

    records: dict[str, UsageRecord] = field(default_factory=dict)
    issues: list[LineIssue] = field(default_factory=list)
    lines: int = 0


def project_of(path: Path) -> str:
    """Return the project folder name of a session file.

    That is the folder right below a ``projects`` folder (sub-agent logs can
    sit deeper), else the file's own folder.
    """
    for ancestor in path.parents:
        if ancestor.parent.name == _PROJECTS_FOLDER and ancestor.name:
            return ancestor.name
    return path.parent.name


def find_session_files(path: Path) -> list[SessionFile]:
    """List the session files of a session file, a project folder or a Claude folder."""
    if path.is_file():
        return [SessionFile(path, project_of(path))]
    root = _session_root(path)
    # os.walk with plain strings lists 2,500 sessions in about half the time of
    # Path.rglob. Sorting tuples of path parts keeps the order Path sorting gives.
    found: list[tuple[str, ...]] = []
    for folder, _, names in os.walk(root):
        relative = os.path.relpath(folder, root)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        found.extend(
            (*parts, name)
            for name in names
            if name.endswith(_SESSION_SUFFIX) and os.path.isfile(os.path.join(folder, name))
        )
    found.sort()
    # A file directly in ``root`` means ``root`` is itself one project folder.
    return [
        SessionFile(root.joinpath(*parts), parts[0] if len(parts) > 1 else root.name)
        for parts in found
    ]


def looks_like_session_line(line: bytes) -> bool:
    """Return True when ``line`` has the shape of a line Claude Code writes."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(obj, dict):
        return False
    if obj.get("type") == "summary" and "leafUuid" in obj:
        return True
    if obj.get("type") == "file-history-snapshot" and "snapshot" in obj:
        return True
    return obj.get("type") in _SESSION_LINE_TYPES and "sessionId" in obj and "uuid" in obj


def record_from_line(
    obj: Any, session: SessionFile, line: int, context: ImportContext
) -> UsageRecord | str | None:
    """Build the record of one parsed line.

    Returns None for a line without usage (user turns, summaries) and a reason
    string for a line that must be skipped.
    """
    if not isinstance(obj, dict):
        return "the line is valid JSON but not an object; remove it"
    message = obj.get("message")
    if not isinstance(message, dict) or message.get("usage") is None:
        return None
    usage = message["usage"]
    if not isinstance(usage, dict):
        return f"message.usage must be an object, got {usage!r}"
    model = message.get("model")
    if model == SYNTHETIC_MODEL:
        return SYNTHETIC_REASON
    message_id = message.get("id")
    request_id = obj.get("requestId")
    if not isinstance(model, str) or not model:
        return f"message.model must be a model name, got {model!r}"
    if not isinstance(message_id, str) or not message_id:
        return (
            f"message.id must be a string, got {message_id!r}; the request cannot be deduplicated"
        )
    if request_id is not None and not isinstance(request_id, str):
        return f"requestId must be a string, got {request_id!r}"
    try:
        return _build_record(obj, usage, model, message_id, request_id, session, line, context)
    except BadValue as exc:
        return str(exc)


def _build_record(
    obj: dict[str, Any],
    usage: dict[str, Any],
    model: str,
    message_id: str,
    request_id: str | None,
    session: SessionFile,
    line: int,
    context: ImportContext,
) -> UsageRecord:
    write_5m, write_1h = _cache_writes(usage)
    searches = token_count(
        nested(usage, "server_tool_use", "web_search_requests"),
        "message.usage.server_tool_use.web_search_requests",
    )
    timestamp, timestamp_source = _timestamp(obj.get("timestamp"), context)
    # A missing request id leaves the message id alone as the key, which is unique per response.
    record_id = f"{PROVIDER}:{message_id}" + (f":{request_id}" if request_id else "")
    return UsageRecord(
        id=record_id,
        timestamp=timestamp,
        provider=context.provider or PROVIDER,
        model=model,
        input_tokens=_usage_count(usage, "input_tokens"),
        cache_read_tokens=_usage_count(usage, "cache_read_input_tokens"),
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
        other_units={WEB_SEARCHES: searches} if searches else {},
        feature=context.attribute("feature", obj) or session.project,
        user=context.attribute("user", obj),
        environment=context.attribute("environment", obj),
        service_tier=optional_text(usage.get("service_tier")),
        source_file=str(session.path),
        source_line=line,
        timestamp_source=timestamp_source,
        format=FORMAT_NAME,
        output_tokens=_usage_count(usage, "output_tokens"),
    )


def _usage_count(usage: dict[str, Any], key: str) -> int:
    return token_count(usage.get(key), f"message.usage.{key}")


def _cache_writes(usage: dict[str, Any]) -> tuple[int, int]:
    """Split cache writes into 5-minute and 1-hour tokens.

    Without the ``cache_creation`` split (older Claude Code versions) every
    cache write was a 5-minute write, the only kind those versions used.
    """
    split = usage.get("cache_creation")
    five = nested(split, "ephemeral_5m_input_tokens")
    hour = nested(split, "ephemeral_1h_input_tokens")
    if five is None and hour is None:
        total = usage.get("cache_creation_input_tokens")
        return token_count(total, "message.usage.cache_creation_input_tokens"), 0
    return (
        token_count(five, "message.usage.cache_creation.ephemeral_5m_input_tokens"),
        token_count(hour, "message.usage.cache_creation.ephemeral_1h_input_tokens"),
    )


def _timestamp(value: Any, context: ImportContext) -> tuple[Any, str]:
    if value is None and context.fallback_timestamp is not None:
        return context.fallback_timestamp, TIMESTAMP_FROM_OPTION
    if value is None:
        raise BadValue("timestamp is missing; pass --timestamp to date lines without one")
    return parse_timestamp(value, "timestamp"), TIMESTAMP_FROM_RECORD


def scan_session(session: SessionFile, context: ImportContext) -> SessionScan:
    """Read one session file line by line, keeping the last line of every request."""
    scan = SessionScan()
    with session.path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            scan.lines = number
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                reason = f"invalid JSON ({exc}); fix or remove the line"
                scan.issues.append(LineIssue(str(session.path), number, reason))
                continue
            item = record_from_line(obj, session, number, context)
            if isinstance(item, UsageRecord):
                # The record id is the request key, so the last line of a request wins.
                scan.records.pop(item.id, None)
                scan.records[item.id] = item
            elif item is not None:
                scan.issues.append(LineIssue(str(session.path), number, item))
    return scan


class ClaudeCodeImporter(Importer):
    """Claude Code session logs, one record per API request."""

    name = FORMAT_NAME
    description = "Claude Code session logs (~/.claude/projects/<project>/<session>.jsonl)"
    detect_priority = 20
    later_lines_replace = True

    def detect_directory(self, path: Path) -> bool:
        # A session may start with lines of no known shape, or be empty, so several are tried.
        sessions = itertools.islice(_walk_session_files(path), _DETECTION_SAMPLE)
        return any(self.detect(session, read_head(session)) for session in sessions)

    def detect(self, path: Path, head: list[bytes]) -> bool:
        return path.suffix == _SESSION_SUFFIX and any(looks_like_session_line(h) for h in head)

    def files_beside(self, path: Path) -> list[tuple[Path, bool]]:
        # A projects folder is Claude Code's own folder of session logs, so it is not searched.
        # Elsewhere every file outside the session root is returned, and inside it every .jsonl
        # file whose first line is not a session line, which is read with the folder.
        root = _session_root(path)
        found: list[tuple[Path, bool]] = []
        for folder, subfolders, names in os.walk(path):
            current = Path(folder)
            in_root = current == root or root in current.parents
            if in_root and root.name == _PROJECTS_FOLDER:
                subfolders.clear()
                continue
            subfolders.sort()
            for name in sorted(names):
                file = current / name
                if not file.is_file():
                    continue
                session_file = in_root and name.endswith(_SESSION_SUFFIX)
                if session_file and _starts_as_session(file):
                    continue
                found.append((file, session_file))
        return found

    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        return self.read_many([path], context)

    def read_many(
        self,
        paths: list[Path],
        context: ImportContext,
        path_done: Callable[[], None] | None = None,
    ) -> Iterator[ImportItem]:
        # A request in several files keeps the later file's line, as in the bulk reader,
        # so nothing is yielded before every file has been read.
        latest: dict[str, UsageRecord] = {}
        issues: list[LineIssue] = []
        order: dict[str, int] = {}
        for path in paths:
            for session in _sessions([path], context):
                order[str(session.path)] = len(order)
                scan = scan_session(session, context)
                issues.extend(scan.issues)
                foreign = None if scan.records or scan.issues else foreign_file_issue(session.path)
                if foreign is not None:
                    issues.append(foreign)
                for key, record in scan.records.items():
                    latest.pop(key, None)
                    latest[key] = record
            if path_done:
                path_done()
        items: list[ImportItem] = [*latest.values(), *issues]
        items.sort(key=lambda item: _position(item, order))
        yield from items

    def read_bulk(self, paths: list[Path], context: ImportContext) -> BulkResult | None:
        from truecost.importers.formats.claude_code_bulk import read_sessions_bulk

        return read_sessions_bulk(_sessions(paths, context), context)


def _sessions(paths: list[Path], context: ImportContext) -> list[SessionFile]:
    """List the session files of ``paths``, without those the import gave to another format."""
    sessions = [s for path in paths for s in find_session_files(path)]
    if not context.excluded_files:
        return sessions
    return [s for s in sessions if s.path.resolve() not in context.excluded_files]


def _session_root(folder: Path) -> Path:
    """Return the ``projects`` folder inside ``folder`` when it has one, else ``folder``."""
    projects = folder / _PROJECTS_FOLDER
    return projects if projects.is_dir() else folder


def foreign_file_issue(path: Path) -> LineIssue | None:
    """Return an issue for a file read as a session that gave nothing and is not one.

    Such a file lies among the sessions (another log inside a projects folder, say), and
    its lines would otherwise be passed over without a word.
    """
    if _starts_as_session(path):
        return None
    reason = (
        "not a Claude Code session log, so nothing of it was read; "
        "import it on its own, or move it out of the Claude Code folder"
    )
    return LineIssue(str(path), 0, reason)


def _starts_as_session(path: Path) -> bool:
    """Return True when the first non-empty line of ``path`` is a session line, or it has none."""
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.strip()
            if line:
                return looks_like_session_line(line)
    return True


def _walk_session_files(path: Path) -> Iterator[Path]:
    """Yield session files below ``path`` as a sorted walk finds them, without listing them all."""
    for folder, subfolders, names in os.walk(_session_root(path)):
        subfolders.sort()
        for name in sorted(names):
            candidate = os.path.join(folder, name)
            if name.endswith(_SESSION_SUFFIX) and os.path.isfile(candidate):
                yield Path(candidate)


def _position(item: ImportItem, order: dict[str, int]) -> tuple[int, int]:
    if isinstance(item, LineIssue):
        return order[item.file], item.line
    return order[item.source_file], item.source_line


register(ClaudeCodeImporter())
