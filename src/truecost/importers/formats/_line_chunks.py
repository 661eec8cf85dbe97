"""Split a file into chunks of whole lines, each an Arrow table that DuckDB scans without a copy.

Lines end at ``\\n`` only, as in Python's iteration over a binary file, so the
line numbers match the per-line reader. Each string keeps its trailing
``\\n`` (and ``\\r``), which JSON treats as whitespace. A chunk contains about
``CHUNK_BYTES`` of the file, and one line longer than that makes a chunk of its own.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

# Bytes per chunk. DuckDB parses one chunk per thread, so a file of several chunks keeps all
# cores busy. A chunk costs 8 bytes of offsets per line because the lines stay in the mapped file.
CHUNK_BYTES = 32 * 1024 * 1024
# Chunks kept mapped behind the newest one: DuckDB parses one per thread.
_KEPT_CHUNKS = 4
# The columns of LineChunk.table().
LINES_SCHEMA = pa.schema([("line_no", pa.int64()), ("line", pa.large_string())])


@dataclass(frozen=True, slots=True)
class LineChunk:
    """Consecutive lines of a file: ``data`` and the offset where each line starts."""

    first_line: int
    file_offset: int  # where data starts in the file, in bytes
    data: memoryview
    starts: np.ndarray  # int64 offsets into data: line k is data[starts[k]:starts[k + 1]]

    @property
    def line_count(self) -> int:
        return len(self.starts) - 1

    def line(self, index: int) -> bytes:
        """Return line ``index`` (0-based within the chunk) with its line ending."""
        return bytes(self.data[int(self.starts[index]) : int(self.starts[index + 1])])

    def table(self) -> pa.Table:
        """Return the lines as ``(line_no BIGINT, line VARCHAR)``, or with NULL for invalid UTF-8."""
        lines = pa.LargeStringArray.from_buffers(
            self.line_count, pa.py_buffer(self.starts), pa.py_buffer(self.data)
        )
        try:
            lines.validate(full=True)
        except pa.ArrowInvalid:
            lines = self._valid_lines_only()
        numbers = np.arange(self.first_line, self.first_line + self.line_count, dtype=np.int64)
        return pa.Table.from_arrays([pa.array(numbers), lines], schema=LINES_SCHEMA)

    def _valid_lines_only(self) -> pa.Array:
        # SQL gets NULL for a line that is not UTF-8, so the per-line reader reports it.
        values: list[str | None] = []
        for index in range(self.line_count):
            try:
                values.append(self.line(index).decode("utf-8"))
            except UnicodeDecodeError:
                values.append(None)
        return pa.array(values, type=pa.large_string())


def line_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[LineChunk]:
    """Yield the lines of ``path`` in order, ``chunk_bytes`` at a time, each chunk whole lines.

    The file is memory-mapped, so a chunk is a view of the page cache, not a copy.
    """
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    first_line = 1
    start = 0
    ends: list[int] = []
    released = 0
    while start < size:
        end = _chunk_end(mapped, start, chunk_bytes, size)
        starts = _line_starts(mapped, start, end)
        chunk = LineChunk(first_line, start, view[start:end], starts)
        first_line += chunk.line_count
        start = end
        yield chunk
        ends.append(end)
        if len(ends) > _KEPT_CHUNKS:
            released = _release(mapped, released, ends[-_KEPT_CHUNKS - 1])


def _release(mapped: mmap.mmap, released: int, end: int) -> int:
    """Drop the pages from ``released`` to ``end`` from this process; return the new ``released``.

    This keeps the resident size near a few chunks. The mapping is of a file, so a
    page read again later is loaded from the file again: releasing a page DuckDB
    still reads costs time, never correctness.
    """
    whole_pages = end - end % mmap.PAGESIZE
    # Windows has no madvise; there the pages stay mapped until the file is done.
    if whole_pages > released and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED, released, whole_pages - released)
    return max(released, whole_pages)


def _chunk_end(mapped: mmap.mmap, start: int, chunk_bytes: int, size: int) -> int:
    """Return the offset just past the last newline before ``start + chunk_bytes``."""
    limit = start + chunk_bytes
    if limit >= size:
        return size
    last = mapped.rfind(b"\n", start, limit)
    if last >= 0:
        return last + 1
    # One line longer than a chunk: the chunk is that line.
    newline = mapped.find(b"\n", limit)
    return size if newline < 0 else newline + 1


def _line_starts(mapped: mmap.mmap, start: int, end: int) -> np.ndarray:
    """Return the offsets, relative to ``start``, where the lines of [start, end) begin, and end."""
    offsets = [0]
    find = mapped.find
    position = find(b"\n", start, end)
    while position >= 0 and position + 1 < end:
        offsets.append(position + 1 - start)
        position = find(b"\n", position + 1, end)
    offsets.append(end - start)
    return np.array(offsets, dtype=np.int64)


class LineIndex:
    """The file offsets of the lines of every chunk added, for reading some lines again."""

    def __init__(self) -> None:
        self._first_lines: list[int] = []
        self._positions: list[np.ndarray] = []
        self.line_count = 0

    def add(self, chunk: LineChunk) -> None:
        """Record the lines of ``chunk``, which must follow the last chunk added."""
        self._first_lines.append(chunk.first_line)
        self._positions.append(chunk.starts + chunk.file_offset)
        self.line_count += chunk.line_count

    def read_lines(self, path: Path, numbers: np.ndarray) -> Iterator[tuple[int, bytes]]:
        """Yield (line number, line) for the sorted 1-based ``numbers``, reading only those lines."""
        firsts = np.asarray(self._first_lines)
        with path.open("rb") as handle:
            for number in numbers.tolist():
                at = int(np.searchsorted(firsts, number, side="right")) - 1
                positions = self._positions[at]
                index = number - self._first_lines[at]
                start, end = int(positions[index]), int(positions[index + 1])
                handle.seek(start)
                yield number, handle.read(end - start)

    def numbers_except(self, taken: np.ndarray) -> np.ndarray:
        """Return the sorted line numbers not in ``taken``."""
        left = np.ones(self.line_count + 1, dtype=bool)
        left[0] = False
        left[taken] = False
        return np.flatnonzero(left)
