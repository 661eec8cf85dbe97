"""Total cost of ownership per feature: ledger token cost plus the configured cost stack.

Monthly amounts are prorated by calendar time: a period covering 10 days of a
30-day month counts as a third of a month. Per-request and per-outcome amounts
use the requests the ledger holds for the period. Shared costs are split across
their features by request share, token-spend share or fixed weights.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb

from truecost.analyses.coststack import (
    ZERO_AMOUNT,
    Amount,
    StackLine,
    Volume,
    feature_stack_lines,
    item_amount,
)
from truecost.config.coststack import CATEGORIES, EXTRA, CostStackConfig, FeatureStack, SharedCost
from truecost.errors import InputError

TOKENS = "tokens"
ZERO = Decimal(0)
NO_FEATURE = "(none)"


@dataclass(frozen=True)
class Period:
    """A half-open UTC time range ``[since, until)``."""

    since: datetime
    until: datetime

    @property
    def months(self) -> Decimal:
        """Return the calendar months the period covers, each month prorated by its own length."""
        total = ZERO
        cursor = self.since
        while cursor < self.until:
            start = datetime(cursor.year, cursor.month, 1, tzinfo=UTC)
            days = calendar.monthrange(cursor.year, cursor.month)[1]
            end = start + timedelta(days=days)
            covered = min(end, self.until) - cursor
            total += Decimal(covered.total_seconds()) / Decimal((end - start).total_seconds())
            cursor = end
        return total

    @property
    def days(self) -> Decimal:
        """Return the length of the period in days."""
        return Decimal((self.until - self.since).total_seconds()) / Decimal(86_400)


def month_period(month: str) -> Period:
    """Return the period of a calendar month written ``YYYY-MM``."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"invalid --month '{month}': use YYYY-MM, for example 2026-03.") from None
    days = calendar.monthrange(start.year, start.month)[1]
    return Period(start, start + timedelta(days=days))


@dataclass(frozen=True)
class HumanComparison:
    """People doing the same outcomes: cost per outcome, in total, and head count."""

    usd_per_outcome: Amount
    usd: Amount
    people: Decimal


@dataclass
class FeatureTco:
    """The full cost of one feature over the period."""

    feature: str
    requests: int
    unpriced_requests: int
    token_usd: Decimal
    lines: list[StackLine]
    outcome_unit: str | None = None
    outcomes: Decimal | None = None
    human: HumanComparison | None = None

    @property
    def total(self) -> Amount:
        """Return token cost plus every stack line."""
        total = Amount.exact(self.token_usd)
        for line in self.lines:
            total = total + line.amount
        return total

    def by_category(self) -> dict[str, Amount]:
        """Return the cost of each category, tokens first, in report order."""
        result: dict[str, Amount] = {TOKENS: Amount.exact(self.token_usd)}
        for category in (*CATEGORIES, EXTRA):
            amounts = [line.amount for line in self.lines if line.category == category]
            if amounts:
                result[category] = sum(amounts[1:], amounts[0])
        return result

    def share(self, amount: Amount) -> Decimal | None:
        """Return ``amount`` as a share of the total, at midpoints (None for a zero total)."""
        total = self.total.mid_usd
        return amount.mid_usd / total if total else None

    @property
    def usd_per_request(self) -> Amount | None:
        """Return the full cost per request, or None without requests."""
        return self.total.scaled(1 / Decimal(self.requests)) if self.requests else None

    @property
    def usd_per_outcome(self) -> Amount | None:
        """Return the full cost per outcome unit, or None without outcomes."""
        return self.total.scaled(1 / self.outcomes) if self.outcomes else None


@dataclass
class TcoReport:
    """The result of ``tco_report``."""

    period: Period
    features: list[FeatureTco]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Amount:
        """Return the full cost of every feature together."""
        return (
            sum((f.total for f in self.features[1:]), self.features[0].total)
            if self.features
            else ZERO_AMOUNT
        )


@dataclass(frozen=True)
class _Usage:
    requests: int
    unpriced: int
    token_usd: Decimal


def ledger_usage(con: duckdb.DuckDBPyConnection, period: Period) -> dict[str, _Usage]:
    """Return requests, unpriced requests and token cost per feature over the period."""
    rows = con.execute(
        f"""SELECT coalesce(feature, '{NO_FEATURE}'), count(*),
                   count(*) FILTER (WHERE cost_usd IS NULL), coalesce(sum(cost_usd), 0)
            FROM records WHERE ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1""",
        [period.since, period.until],
    ).fetchall()
    return {str(r[0]): _Usage(int(r[1]), int(r[2]), Decimal(r[3])) for r in rows}


def tco_report(
    con: duckdb.DuckDBPyConnection,
    config: CostStackConfig,
    period: Period,
    only: list[str] | None = None,
) -> TcoReport:
    """Compute the full cost of each feature (or of the ``only`` ones) over ``period``."""
    usage = ledger_usage(con, period)
    names = sorted(set(usage) | set(config.features))
    if only:
        unknown = [name for name in only if name not in names]
        if unknown:
            raise InputError(
                f"unknown feature '{unknown[0]}': neither the ledger nor the cost stack has it. "
                f"Known features: {', '.join(names) or 'none'}."
            )
    report = TcoReport(period=period, features=[])
    months = period.months
    for name in names:
        use = usage.get(name, _Usage(0, 0, ZERO))
        report.features.append(_feature_tco(config, name, config.features.get(name), use, months))
    _allocate_shared(config, report, months)
    for feature in report.features:
        if feature.unpriced_requests:
            report.notes.append(
                f"{feature.feature}: {feature.unpriced_requests:,} requests have no known price "
                "and are left out of the token cost."
            )
    if only:
        report.features = [f for f in report.features if f.feature in only]
    return report


def _feature_tco(
    config: CostStackConfig, name: str, stack: FeatureStack | None, use: _Usage, months: Decimal
) -> FeatureTco:
    result = FeatureTco(name, use.requests, use.unpriced, use.token_usd, [])
    if stack is None:
        return result
    outcomes = Decimal(use.requests) * stack.outcome_ratio()
    volume = Volume(months=months, requests=Decimal(use.requests), outcomes=outcomes)
    result.lines = feature_stack_lines(config, stack, volume)
    if stack.outcome_unit or stack.human_baseline is not None:
        result.outcome_unit = stack.outcome_unit or "request"
        result.outcomes = outcomes
    if stack.human_baseline is not None:
        result.human = human_comparison(stack, outcomes, months)
    return result


def human_comparison(stack: FeatureStack, outcomes: Decimal, months: Decimal) -> HumanComparison:
    """Return what people would cost for the same outcomes, from the feature's human baseline.

    The low cost per outcome pairs the lowest salary with the highest output, the high one
    the reverse; the midpoint uses both midpoints.
    """
    baseline = stack.human_baseline
    assert baseline is not None
    days = baseline.workdays_per_month
    pay, output = baseline.usd_per_month, baseline.outcomes_per_day
    per_outcome = Amount(
        pay.low / (output.high * days),
        pay.mid / (output.mid * days),
        pay.high / (output.low * days),
    )
    people = outcomes / (output.mid * days * months) if months else ZERO
    return HumanComparison(per_outcome, per_outcome.scaled(outcomes), people)


def _allocate_shared(config: CostStackConfig, report: TcoReport, months: Decimal) -> None:
    by_name = {f.feature: f for f in report.features}
    rate = config.engineering_defaults.usd_per_hour
    for shared in config.shared:
        members = shared.feature_names(list(config.features))
        for name in members:
            if name not in by_name:
                by_name[name] = FeatureTco(name, 0, 0, ZERO, [])
                report.features.append(by_name[name])
        requests = sum(by_name[name].requests for name in members)
        volume = Volume(months=months, requests=Decimal(requests), outcomes=Decimal(requests))
        amount = item_amount(shared, volume, rate)
        shares = allocation_shares(shared, [by_name[n] for n in members], report.notes)
        for name, share in shares.items():
            line = StackLine(shared.category, f"{shared.name} (shared)", amount.scaled(share))
            by_name[name].lines.append(line)
    report.features.sort(key=lambda f: f.feature)


def allocation_shares(
    shared: SharedCost, members: list[FeatureTco], notes: list[str]
) -> dict[str, Decimal]:
    """Return each member's share of a shared cost; the shares add up to 1."""
    if shared.allocate_by == "weights":
        assert shared.weights is not None
        basis = {f.feature: shared.weights[f.feature] for f in members}
    elif shared.allocate_by == "spend":
        basis = {f.feature: f.token_usd for f in members}
    else:
        basis = {f.feature: Decimal(f.requests) for f in members}
    total = sum(basis.values(), ZERO)
    if total == 0:
        notes.append(
            f"shared cost '{shared.name}': no {shared.allocate_by} in the period to split by, "
            "so it is split equally."
        )
        return {name: 1 / Decimal(len(basis)) for name in basis}
    return {name: value / total for name, value in basis.items()}


def cost_stack_rows(report: TcoReport) -> list[dict[str, object]]:
    """Return one plain row per feature and category, for reports that draw the cost stack.

    Keys: ``feature``, ``category``, ``low_usd``, ``mid_usd``, ``high_usd`` (Decimal, unrounded)
    and ``share`` (Decimal share of the feature's total at midpoints, or None).
    """
    rows: list[dict[str, object]] = []
    for feature in report.features:
        for category, amount in feature.by_category().items():
            rows.append(
                {
                    "feature": feature.feature,
                    "category": category,
                    "low_usd": amount.low_usd,
                    "mid_usd": amount.mid_usd,
                    "high_usd": amount.high_usd,
                    "share": feature.share(amount),
                }
            )
    return rows
