"""The traffic shape of a ledger: requests per clock hour, the peak hour against the average.

GPUs are sized for the busiest hour, so the average alone understates what a
self-hosted deployment must serve. The window runs from the hour of the first
request to the hour of the last, and hours without a request count as zero, so
traffic that only runs in office hours shows a peak-to-average ratio near 3.
Hours are UTC clock hours (epoch seconds divided by 3600).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import duckdb

from truecost.errors import InputError

NO_FEATURE = "(no feature)"
SECONDS_PER_HOUR = 3600
MINUTES_PER_HOUR = Decimal(60)
HOURS_PER_DAY = Decimal(24)

_HOURLY_SQL = """
SELECT
    coalesce(feature, ?) AS feature,
    CAST(floor(epoch(ts) / 3600) AS BIGINT) AS hour,
    count(*) AS requests,
    sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cost_usd) AS cost_usd,
    count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced
FROM records
WHERE {where}
GROUP BY 1, 2
"""


@dataclass(frozen=True, slots=True)
class TrafficFilter:
    """A record selection: a time window (``since`` inclusive, ``until`` exclusive) and names."""

    since: datetime | None = None
    until: datetime | None = None
    features: tuple[str, ...] = ()
    environment: str | None = None


@dataclass(slots=True)
class FeatureTraffic:
    """Requests, tokens and spend of one feature (or of all traffic) over the window."""

    feature: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    unpriced_requests: int = 0
    hourly: dict[int, int] = field(default_factory=dict)

    def add(
        self,
        hour: int,
        requests: int,
        input_tokens: int,
        output_tokens: int,
        cost: Decimal | None,
        unpriced: int,
    ) -> None:
        """Add one hour's counts from the ledger."""
        self.hourly[hour] = self.hourly.get(hour, 0) + requests
        self.requests += requests
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cost_usd += cost or Decimal(0)
        self.unpriced_requests += unpriced

    @property
    def input_tokens_per_request(self) -> Decimal:
        """Mean prompt tokens (cached or not) per request."""
        return Decimal(self.input_tokens) / self.requests if self.requests else Decimal(0)

    @property
    def output_tokens_per_request(self) -> Decimal:
        """Mean output tokens (reasoning included) per request."""
        return Decimal(self.output_tokens) / self.requests if self.requests else Decimal(0)

    @property
    def peak_requests_per_hour(self) -> int:
        """Requests in the busiest clock hour."""
        return max(self.hourly.values(), default=0)


@dataclass(frozen=True, slots=True)
class TrafficShape:
    """The traffic of a ledger window: totals, the hourly profile and each feature's share."""

    first_hour: datetime
    hours: int
    total: FeatureTraffic
    features: tuple[FeatureTraffic, ...]

    @property
    def days(self) -> Decimal:
        """The window's length in days, counted in whole hours."""
        return Decimal(self.hours) / HOURS_PER_DAY

    @property
    def average_requests_per_hour(self) -> Decimal:
        """Requests per hour over the whole window, idle hours included."""
        return Decimal(self.total.requests) / self.hours

    @property
    def peak_requests_per_hour(self) -> int:
        """Requests in the busiest clock hour."""
        return self.total.peak_requests_per_hour

    @property
    def peak_hour(self) -> datetime:
        """The start of the busiest clock hour (the first one on a tie), in UTC."""
        busiest = min(
            hour
            for hour, count in self.total.hourly.items()
            if count == self.peak_requests_per_hour
        )
        return datetime.fromtimestamp(busiest * SECONDS_PER_HOUR, tz=UTC)

    @property
    def peak_to_average(self) -> Decimal:
        """The busiest hour's requests over the average hour's."""
        return Decimal(self.peak_requests_per_hour) / self.average_requests_per_hour

    @property
    def peak_requests_per_minute(self) -> Decimal:
        """The busiest hour's rate in requests per minute."""
        return Decimal(self.peak_requests_per_hour) / MINUTES_PER_HOUR

    @property
    def requests_per_day(self) -> Decimal:
        """Requests in an average day of the window."""
        return self.average_requests_per_hour * HOURS_PER_DAY


def _where(flt: TrafficFilter) -> tuple[str, list[object]]:
    clauses = ["TRUE"]
    params: list[object] = []
    if flt.since is not None:
        clauses.append("ts >= ?")
        params.append(flt.since)
    if flt.until is not None:
        clauses.append("ts < ?")
        params.append(flt.until)
    if flt.features:
        clauses.append(f"coalesce(feature, ?) IN ({', '.join('?' for _ in flt.features)})")
        params.extend([NO_FEATURE, *flt.features])
    if flt.environment is not None:
        clauses.append("environment = ?")
        params.append(flt.environment)
    return " AND ".join(clauses), params


def traffic_shape(con: duckdb.DuckDBPyConnection, flt: TrafficFilter | None = None) -> TrafficShape:
    """Read the hourly traffic of the ``records`` table; raise ``InputError`` when nothing matches."""
    where, params = _where(flt or TrafficFilter())
    rows = con.execute(_HOURLY_SQL.format(where=where), [NO_FEATURE, *params]).fetchall()
    if not rows:
        raise InputError(
            "the ledger has no requests in the chosen window; import logs first "
            "or widen --since/--until/--feature."
        )
    total = FeatureTraffic("(all)")
    by_feature: dict[str, FeatureTraffic] = defaultdict(lambda: FeatureTraffic(""))
    for feature, hour, requests, input_tokens, output_tokens, cost, unpriced in rows:
        counts = (
            int(hour),
            int(requests),
            int(input_tokens),
            int(output_tokens),
            cost,
            int(unpriced),
        )
        total.add(*counts)
        entry = by_feature[feature]
        entry.feature = feature
        entry.add(*counts)
    first, last = min(total.hourly), max(total.hourly)
    features = sorted(by_feature.values(), key=lambda f: (-f.requests, f.feature))
    return TrafficShape(
        first_hour=datetime.fromtimestamp(first * SECONDS_PER_HOUR, tz=UTC),
        hours=last - first + 1,
        total=total,
        features=tuple(features),
    )


def combined_peak_requests_per_hour(features: list[FeatureTraffic]) -> int:
    """Return the busiest clock hour of several features served together."""
    combined: dict[int, int] = defaultdict(int)
    for feature in features:
        for hour, count in feature.hourly.items():
            combined[hour] += count
    return max(combined.values(), default=0)
