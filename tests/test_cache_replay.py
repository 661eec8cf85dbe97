"""The savings replay: logged calls in time order through the cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cache_helpers import TableEmbedder, unit_at
from truecost.cache.policy import CachePolicy
from truecost.cache.replay import QueryRecord, replay_records

START = datetime(2026, 3, 1, tzinfo=UTC)
VECTORS = {"hours": [1.0, 0.0], "open": unit_at(0.97), "refund": [0.0, 1.0]}


def record(offset_s: float, query: str, cost: str, feature: str = "support") -> QueryRecord:
    return QueryRecord(
        START + timedelta(seconds=offset_s), feature, "m", query, Decimal(cost), id=f"r{offset_s:g}"
    )


def test_replay_saves_cost_of_hits() -> None:
    records = [
        record(0, "hours", "0.010"),
        record(10, "open", "0.012"),
        record(20, "Hours?", "0.011"),
        record(30, "refund", "0.020"),
    ]
    result = replay_records(records, TableEmbedder(VECTORS), CachePolicy(threshold=0.95), 0.01)
    assert result.queries == 4
    assert result.exact_hits == 1
    assert result.semantic_hits == 1
    assert result.saved_usd == Decimal("0.023")
    assert result.hit_ids == ["r10", "r20"]
    assert result.expected_wrong_hits == 0.01


def test_replay_sorts_by_time_and_respects_ttl() -> None:
    records = [
        record(3600, "hours", "0.5"),
        record(0, "hours", "0.5"),
        record(3599, "hours", "0.5"),
    ]
    result = replay_records(records, TableEmbedder(VECTORS), CachePolicy(ttl_s=3600.0), 0.0)
    # 0: miss and stored; 3599: hit; 3600: the entry expired exactly at 3600, so a miss.
    assert result.hit_ids == ["r3599"]
    assert result.saved_usd == Decimal("0.5")


def test_replay_keeps_features_apart() -> None:
    records = [record(0, "hours", "1", feature="a"), record(1, "hours", "1", feature="b")]
    result = replay_records(records, TableEmbedder(VECTORS), CachePolicy(), 0.0)
    assert result.hits == 0


def test_wrong_answers_scale_to_a_month() -> None:
    records = [record(0, "hours", "1"), record(2 * 86_400, "open", "1")]
    result = replay_records(records, TableEmbedder(VECTORS), CachePolicy(), 0.02)
    assert result.span_s == 172_800
    assert result.expected_wrong_hits == 0.02
    assert result.expected_wrong_per_month == 0.02 * 15


def test_short_replay_is_not_scaled() -> None:
    records = [record(0, "hours", "1"), record(86_399, "open", "1")]
    result = replay_records(records, TableEmbedder(VECTORS), CachePolicy(), 0.02)
    assert result.expected_wrong_per_month == 0.02


def test_empty_replay() -> None:
    result = replay_records([], TableEmbedder(VECTORS), CachePolicy(), 0.01)
    assert result.queries == 0
    assert result.hit_rate == 0.0
    assert result.saved_usd == Decimal(0)
