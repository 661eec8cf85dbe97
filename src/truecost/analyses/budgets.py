"""Budget status: spend of a budget's current period, its share and its forecasted end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import duckdb

from truecost.analyses.forecast_model import PeriodForecast
from truecost.analyses.monthend import period_forecast
from truecost.analyses.periods import Period, period_containing
from truecost.analyses.spend import Selection

# Dimensions a budget can be scoped to (any of truecost.analyses.spend.DIMENSIONS but time).
BUDGET_DIMENSIONS = ("feature", "user", "model", "provider", "environment")
DEFAULT_THRESHOLDS_PCT = (Decimal(80), Decimal(100))
DEFAULT_FORECAST_THRESHOLDS_PCT = (Decimal(100),)


@dataclass(frozen=True)
class Budget:
    """An amount of dollars per day, week or month, for all spend or for one scope of it."""

    name: str
    period: str
    amount_usd: Decimal
    scope: tuple[tuple[str, str], ...] = ()
    thresholds_pct: tuple[Decimal, ...] = DEFAULT_THRESHOLDS_PCT
    forecast_thresholds_pct: tuple[Decimal, ...] = DEFAULT_FORECAST_THRESHOLDS_PCT

    @property
    def scope_text(self) -> str:
        """Return ``all spend`` or the scope as ``feature=search, model=gpt-4o``."""
        return ", ".join(f"{k}={v}" for k, v in self.scope) or "all spend"


@dataclass(frozen=True)
class BudgetStatus:
    """Where a budget stands at one point in time."""

    budget: Budget
    period: Period
    at: datetime
    spent_usd: Decimal
    forecast: PeriodForecast
    crossed_pct: list[Decimal] = field(default_factory=list)
    forecast_crossed_pct: list[Decimal] = field(default_factory=list)

    @property
    def share_pct(self) -> Decimal:
        """Return the spend so far as a percentage of the budget."""
        return self.spent_usd / self.budget.amount_usd * 100

    @property
    def forecast_share_pct(self) -> Decimal:
        """Return the forecasted period spend as a percentage of the budget."""
        return self.forecast.forecast_usd / self.budget.amount_usd * 100


def budget_status(con: duckdb.DuckDBPyConnection, budget: Budget, at: datetime) -> BudgetStatus:
    """Measure a budget's period containing ``at``: spend before ``at``, forecast, thresholds crossed."""
    period = period_containing(budget.period, at)
    forecast = period_forecast(con, period, at, Selection(filters=budget.scope))
    spent = forecast.spent_usd
    crossed = [t for t in budget.thresholds_pct if spent >= budget.amount_usd * t / 100]
    forecast_crossed = [
        t
        for t in budget.forecast_thresholds_pct
        if forecast.forecast_usd >= budget.amount_usd * t / 100
    ]
    return BudgetStatus(budget, period, at, spent, forecast, crossed, forecast_crossed)
