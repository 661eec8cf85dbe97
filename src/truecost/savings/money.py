"""Exact per-record money as int64 picodollars, converted to and from Arrow decimals.

The ledger stores cost as DECIMAL(18, 12), so one picodollar (1e-12 USD) is its
resolution and every per-record cost fits an int64. Sums are split into whole
micro-dollars and the picodollar remainder so they never overflow int64.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pyarrow as pa

PICO = 10**12
COST_TYPE = pa.decimal128(18, 12)
_SPLIT = 10**6

PicoArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def pico_to_arrow(values: PicoArray) -> pa.Array:
    """Return ``values`` (picodollars) as an Arrow decimal128(18, 12) array, exactly."""
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = np.where(values < 0, -1, 0)
    return pa.Array.from_buffers(COST_TYPE, len(values), [None, pa.py_buffer(words.tobytes())])


def arrow_to_pico(array: pa.Array | pa.ChunkedArray) -> PicoArray:
    """Return a decimal128(18, 12) array without nulls as int64 picodollars."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], COST_TYPE)
    if array.null_count:
        raise ValueError("cost arrays passed between optimizations must not hold nulls")
    if array.type != COST_TYPE:
        array = array.cast(COST_TYPE)
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)
    return words[2 * array.offset : 2 * (array.offset + len(array)) : 2].copy()


def sum_usd(values: PicoArray) -> Decimal:
    """Return the exact sum of picodollar values in USD."""
    if not len(values):
        return Decimal(0)
    micro = int((values // _SPLIT).sum())
    rest = int((values % _SPLIT).sum())
    return Decimal(micro * _SPLIT + rest).scaleb(-12)


def group_sums_usd(values: PicoArray, codes: npt.NDArray[np.int64], groups: int) -> list[Decimal]:
    """Return the exact sum of ``values`` per group code ``0..groups-1``, in USD."""
    micro = np.zeros(groups, dtype=np.int64)
    rest = np.zeros(groups, dtype=np.int64)
    np.add.at(micro, codes, values // _SPLIT)
    np.add.at(rest, codes, values % _SPLIT)
    return [Decimal(int(m) * _SPLIT + int(r)).scaleb(-12) for m, r in zip(micro, rest, strict=True)]
