"""The plug-in contract of an optimization: what it receives and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pyarrow as pa

from truecost.config.savings import SavingsConfig
from truecost.pricing import PriceCatalog

if TYPE_CHECKING:
    from truecost.savings.difficulty_model import TrainedClassifier
    from truecost.savings.texts import TextStore


@dataclass(frozen=True)
class NotEstimated:
    """Records an optimization could not judge: the feature (None = all), how many, and why."""

    feature: str | None
    records: int
    reason: str


@dataclass
class ReplayContext:
    """What every optimization may read besides the records."""

    catalog: PriceCatalog
    config: SavingsConfig = field(default_factory=SavingsConfig)
    texts: TextStore | None = None
    # Trained on ``config.routing_labels`` up front, so a bad labels file fails early.
    classifier: TrainedClassifier | None = None


@dataclass
class Outcome:
    """The counterfactual of one optimization; see the package docstring for the contract."""

    records: pa.Table
    skipped: pa.Array | None = None
    extra_usd: pa.Array | None = None
    assumptions: list[str] = field(default_factory=list)
    risk: str = ""
    notes: list[str] = field(default_factory=list)
    not_estimated: list[NotEstimated] = field(default_factory=list)


@runtime_checkable
class Optimization(Protocol):
    """One optimization the replay can apply to recorded traffic."""

    name: str
    title: str
    needs_texts: bool

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the counterfactual of ``records`` under this optimization."""
        ...


def unchanged(records: pa.Table, reason: str, feature: str | None = None) -> Outcome:
    """Return an outcome that changes nothing and says why nothing was estimated."""
    return Outcome(records=records, not_estimated=[NotEstimated(feature, records.num_rows, reason)])
