"""An alert: what fired, by how much, in which period, and what drove it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from truecost.analyses.compare import ChangeRow
from truecost.notify import Notification
from truecost.outputs.render import format_usd, micro_usd

KIND_BUDGET = "budget"
KIND_FORECAST = "forecast"
KIND_SPIKE = "spike"


def format_pct(value: Decimal) -> str:
    """Format a percentage with one decimal place: ``84.2%``."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}%"


@dataclass(frozen=True)
class Driver:
    """The feature and model whose spend rose most against the comparison window."""

    feature: str
    model: str
    current_usd: Decimal
    previous_usd: Decimal
    compared_with: str

    @classmethod
    def from_row(cls, row: ChangeRow | None, compared_with: str) -> Driver | None:
        """Build a driver from the top row of a comparison by feature and model."""
        if row is None:
            return None
        return cls(
            row.key["feature"], row.key["model"], row.current_usd, row.previous_usd, compared_with
        )

    def describe(self) -> str:
        """Return a sentence naming the feature, the model and the rise."""
        rise = format_usd(self.current_usd - self.previous_usd)
        return (
            f"largest rise: feature {self.feature}, model {self.model}, +{rise} "
            f"({format_usd(self.previous_usd)} in {self.compared_with}, {format_usd(self.current_usd)} now)"
        )


@dataclass(frozen=True)
class Alert:
    """A rule whose condition is met at ``evaluated_at``; ``key`` is unique per rule and period."""

    rule: str
    kind: str
    name: str
    period: str
    scope: str
    amount_usd: Decimal
    limit_usd: Decimal
    threshold_pct: Decimal | None
    detail: str
    driver: Driver | None
    evaluated_at: datetime

    @property
    def key(self) -> str:
        """Return ``rule@period``: the alert fires once for each such key."""
        return f"{self.rule}@{self.period}"

    @property
    def share_pct(self) -> Decimal:
        """Return the amount as a percentage of the limit."""
        return self.amount_usd / self.limit_usd * 100 if self.limit_usd else Decimal(0)

    def title(self) -> str:
        """Return a one-line summary that fits a chat line or an e-mail subject."""
        amount, limit = format_usd(self.amount_usd), format_usd(self.limit_usd)
        if self.kind == KIND_SPIKE:
            return f"Spend spike on {self.period} ({self.scope}): {amount}, threshold {limit}"
        what = "forecast to reach" if self.kind == KIND_FORECAST else "at"
        return (
            f"Budget {self.name} {what} {format_pct(self.share_pct)} of {limit} "
            f"for {self.period} ({amount})"
        )

    def text(self) -> str:
        """Return the body: amount, limit, share, period, scope, detail and driver, one per line."""
        lines = [
            f"amount: {format_usd(self.amount_usd)}",
            f"{'threshold' if self.kind == KIND_SPIKE else 'budget'}: {format_usd(self.limit_usd)}",
            f"share: {format_pct(self.share_pct)}",
            f"period: {self.period}",
            f"scope: {self.scope}",
        ]
        if self.detail:
            lines.append(self.detail)
        if self.driver is not None:
            lines.append(self.driver.describe())
        lines.append(f"evaluated at: {self.evaluated_at:%Y-%m-%d %H:%M} UTC")
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """Return the JSON document sent to webhooks and JSON lines files (money as strings)."""
        driver = None
        if self.driver is not None:
            driver = {
                "feature": self.driver.feature,
                "model": self.driver.model,
                "current_usd": str(micro_usd(self.driver.current_usd)),
                "previous_usd": str(micro_usd(self.driver.previous_usd)),
                "compared_with": self.driver.compared_with,
            }
        return {
            "key": self.key,
            "rule": self.rule,
            "kind": self.kind,
            "name": self.name,
            "period": self.period,
            "scope": self.scope,
            "amount_usd": str(micro_usd(self.amount_usd)),
            "limit_usd": str(micro_usd(self.limit_usd)),
            "share_pct": str(self.share_pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)),
            "threshold_pct": None if self.threshold_pct is None else str(self.threshold_pct),
            "detail": self.detail,
            "driver": driver,
            "evaluated_at": self.evaluated_at.isoformat(),
            "title": self.title(),
            "text": self.text(),
        }

    def notification(self) -> Notification:
        """Return what the notifiers send for this alert."""
        return Notification(self.key, self.title(), self.text(), self.payload())
