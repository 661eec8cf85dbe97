"""Column helpers the optimizations share: int arrays, feature groups, gaps between requests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from truecost.savings.base import NotEstimated

IntArray = npt.NDArray[np.int64]
NO_FEATURE = "(none)"
PROMPT_COLUMNS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
)


def ints(table: pa.Table, name: str) -> IntArray:
    """Return an integer column as int64 numpy, nulls as 0."""
    return np.asarray(table.column(name).fill_null(0).to_numpy(), dtype=np.int64)


def prompt_tokens(table: pa.Table) -> IntArray:
    """Return every input token of each request, cached or not."""
    total = np.zeros(table.num_rows, dtype=np.int64)
    for name in PROMPT_COLUMNS:
        total += ints(table, name)
    return total


def codes(table: pa.Table, *names: str) -> tuple[IntArray, list[tuple[str, ...]]]:
    """Return a group code per row for the combination of string columns, and each group's values."""
    combined = np.zeros(table.num_rows, dtype=np.int64)
    dictionaries: list[list[str]] = []
    for name in names:
        encoded = pc.dictionary_encode(table.column(name).fill_null(NO_FEATURE)).combine_chunks()
        values = [str(v) for v in encoded.dictionary.to_pylist()]
        indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        combined = combined * (len(values) + 1) + indices
        dictionaries.append(values)
    unique, inverse = np.unique(combined, return_inverse=True)
    keys: list[tuple[str, ...]] = []
    for value in unique.tolist():
        parts: list[str] = []
        for values in reversed(dictionaries):
            value, index = divmod(value, len(values) + 1)
            parts.append(values[index])
        keys.append(tuple(reversed(parts)))
    return np.asarray(inverse, dtype=np.int64).reshape(-1), keys


def gaps_seconds(table: pa.Table, group: IntArray) -> npt.NDArray[np.float64]:
    """Return each request's gap to the previous request of its group; inf for the first."""
    ts = np.asarray(table.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
    order = np.lexsort((ts, group))
    gaps = np.full(len(ts), np.inf)
    sorted_ts, sorted_group = ts[order], group[order]
    same = sorted_group[1:] == sorted_group[:-1]
    diffs = (sorted_ts[1:] - sorted_ts[:-1]) / 1_000_000
    gaps[order[1:]] = np.where(same, diffs, np.inf)
    return gaps


def set_ints(table: pa.Table, columns: dict[str, IntArray]) -> pa.Table:
    """Return ``table`` with the given int64 columns replaced."""
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pa.array(values, pa.int64()))
    return table


def too_few(features: list[str], counts: IntArray, minimum: int) -> list[NotEstimated]:
    """Return a not-estimated entry for each feature with fewer than ``minimum`` records."""
    return [
        NotEstimated(name, int(n), f"only {int(n)} records; at least {minimum} are needed to judge")
        for name, n in zip(features, counts, strict=True)
        if n < minimum
    ]
