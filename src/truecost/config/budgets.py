"""The ``[alerts]`` table of ``truecost.toml``: budgets, spike detection and notifiers.

Example (the full key list is in ``docs/alerts.md``)::

    [[alerts.budgets]]
    name = "org"
    period = "month"              # day, week or month (UTC)
    amount_usd = 5000

    [[alerts.budgets]]
    name = "search"
    amount_usd = 800
    scope = { feature = "search" }
    thresholds_pct = [50, 80, 100]
    forecast_thresholds_pct = [100]

    [alerts.spikes]
    method = "weekday"            # or "trailing"
    min_usd = 10

    [[alerts.notifiers]]
    type = "slack"
    url_env = "TRUECOST_SLACK_WEBHOOK_URL"
"""

from __future__ import annotations

import difflib
from collections import Counter
from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from truecost.analyses.budgets import BUDGET_DIMENSIONS, Budget
from truecost.analyses.spikes import SpikeSettings
from truecost.notify import RetryPolicy, notifier_type

Percent = Decimal


def _check_percents(values: list[Decimal]) -> list[Decimal]:
    for value in values:
        if not 0 < value <= 1000:
            raise ValueError(
                f"a threshold is a percentage of the budget above 0 and at most 1000, got {value}"
            )
    return sorted(set(values))


def _check_dimension(name: str, what: str) -> str:
    if name in BUDGET_DIMENSIONS:
        return name
    close = difflib.get_close_matches(name, BUDGET_DIMENSIONS, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"unknown {what} dimension '{name}'.{hint} Use one of: {', '.join(BUDGET_DIMENSIONS)}"
    )


class BudgetConfig(BaseModel):
    """One ``[[alerts.budgets]]`` entry: dollars per period, for all spend or one scope."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1)
    period: Literal["day", "week", "month"] = "month"
    amount_usd: Decimal = Field(gt=0)
    scope: dict[str, str] = Field(default_factory=dict)
    thresholds_pct: list[Percent] = Field(default_factory=lambda: [Decimal(80), Decimal(100)])
    forecast_thresholds_pct: list[Percent] = Field(default_factory=lambda: [Decimal(100)])

    @field_validator("scope")
    @classmethod
    def _known_dimensions(cls, scope: dict[str, str]) -> dict[str, str]:
        for dimension in scope:
            _check_dimension(dimension, "scope")
        return scope

    @field_validator("thresholds_pct", "forecast_thresholds_pct")
    @classmethod
    def _percents(cls, values: list[Decimal]) -> list[Decimal]:
        return _check_percents(values)

    def display_name(self) -> str:
        """Return ``name``, else one built from the period and the scope."""
        if self.name:
            return self.name
        scope = ",".join(f"{k}={v}" for k, v in sorted(self.scope.items()))
        return f"{self.period}:{scope or 'all'}"

    def to_budget(self) -> Budget:
        """Return the analysis value of this entry."""
        return Budget(
            name=self.display_name(),
            period=self.period,
            amount_usd=self.amount_usd,
            scope=tuple(sorted(self.scope.items())),
            thresholds_pct=tuple(self.thresholds_pct),
            forecast_thresholds_pct=tuple(self.forecast_thresholds_pct),
        )


class SpikeConfig(BaseModel):
    """The ``[alerts.spikes]`` table; see ``truecost.analyses.spikes`` for both rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    method: Literal["weekday", "trailing"] = "weekday"
    factor: Decimal = Field(default=Decimal(2), gt=1)
    window_days: int = Field(default=14, ge=3, le=365)
    weeks: int = Field(default=6, ge=3, le=52)
    mad_z: Decimal = Field(default=Decimal("3.5"), gt=0)
    min_usd: Decimal = Field(default=Decimal(10), ge=0)
    by: list[str] = Field(default_factory=lambda: ["feature"])

    @field_validator("by")
    @classmethod
    def _known_dimensions(cls, names: list[str]) -> list[str]:
        return [_check_dimension(name, "spike 'by'") for name in names]

    def to_settings(self) -> SpikeSettings:
        """Return the analysis value of this table."""
        return SpikeSettings(
            method=self.method,
            factor=self.factor,
            window_days=self.window_days,
            weeks=self.weeks,
            mad_z=self.mad_z,
            min_usd=self.min_usd,
            by=tuple(self.by),
        )


class NotifierConfig(BaseModel):
    """One ``[[alerts.notifiers]]`` entry: ``type``, delivery settings, and the options of that type.

    The options are checked against the model the notifier type registered, so
    a plug-in notifier is configured the same way as a built-in one.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str
    name: str | None = Field(default=None, min_length=1)
    timeout_s: float = Field(default=10.0, gt=0, le=300)
    attempts: int = Field(default=3, ge=1, le=10)
    backoff_s: float = Field(default=1.0, ge=0, le=600)

    @model_validator(mode="after")
    def _valid_options(self) -> Self:
        self.options()
        return self

    @property
    def display_name(self) -> str:
        """Return ``name``, else the type."""
        return self.name or self.type

    def options(self) -> BaseModel:
        """Validate the type-specific keys, raising ``ValueError`` that names a wrong key and its fix."""
        kind = notifier_type(self.type)
        try:
            return kind.options.model_validate(self.model_extra or {})
        except ValidationError as exc:
            raise ValueError(_describe_options_error(self.type, exc, kind.options)) from None

    def retry_policy(self) -> RetryPolicy:
        """Return how often and how patiently to try a delivery."""
        return RetryPolicy(
            attempts=self.attempts, backoff_s=self.backoff_s, timeout_s=self.timeout_s
        )


def _describe_options_error(kind: str, exc: ValidationError, options: type[BaseModel]) -> str:
    errors = exc.errors()
    # A misspelt key also makes the key it was meant to be missing: name the misspelling.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        valid = [*options.model_fields, *NotifierConfig.model_fields]
        close = difflib.get_close_matches(key, valid, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else f" Valid keys: {', '.join(valid)}."
        return f"unknown key '{key}' for a {kind} notifier.{hint}"
    if first["type"] == "missing":
        return f"a {kind} notifier needs the key '{key}'"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{kind} notifier: {key + ': ' if key else ''}{message}"


class AlertsConfig(BaseModel):
    """The ``[alerts]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    budgets: list[BudgetConfig] = Field(default_factory=list)
    spikes: SpikeConfig = Field(default_factory=SpikeConfig)
    notifiers: list[NotifierConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        for what, names in (
            ("budget", [b.display_name() for b in self.budgets]),
            ("notifier", [n.display_name for n in self.notifiers]),
        ):
            repeated = [name for name, count in Counter(names).items() if count > 1]
            if repeated:
                raise ValueError(
                    f"two {what}s are called '{repeated[0]}'; give each a distinct 'name'"
                )
        return self
