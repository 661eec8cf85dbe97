"""``alerts check``: fire each alert once per period and deliver what is pending.

A check evaluates every rule, stores each alert not yet fired for its period
together with one pending delivery per configured notifier, and then tries
every pending delivery, including those that failed in earlier checks. A
notifier that fails never stops the others, and its failure is kept in the
ledger so that the next check retries it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from truecost.alerts.alert import Alert
from truecost.alerts.rules import evaluate
from truecost.alerts.state import (
    PendingDelivery,
    has_fired,
    mark_delivered,
    mark_failed,
    pending_deliveries,
    record_firing,
)
from truecost.config.budgets import AlertsConfig, NotifierConfig
from truecost.ledger import Ledger
from truecost.notify import DeliveryError, Notifier, RetryPolicy, deliver, notifier_type

logger = logging.getLogger("truecost.alerts")

EXIT_NOTHING_FIRED = 0
EXIT_FIRED = 1
EXIT_DELIVERY_FAILED = 3


@dataclass(frozen=True)
class Delivery:
    """The outcome of one delivery attempt series in this check."""

    alert_key: str
    notifier: str
    delivered: bool
    attempts: int
    error: str | None = None


@dataclass
class CheckResult:
    """What a check found and did."""

    at: datetime
    fired: list[Alert] = field(default_factory=list)
    already_fired: list[Alert] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[Delivery]:
        """Return the deliveries that failed and stay pending."""
        return [d for d in self.deliveries if not d.delivered]

    @property
    def exit_status(self) -> int:
        """Return 3 when a delivery failed, else 1 when an alert fired, else 0."""
        if self.failed:
            return EXIT_DELIVERY_FAILED
        return EXIT_FIRED if self.fired else EXIT_NOTHING_FIRED


ConfiguredNotifier = tuple[Notifier, RetryPolicy]


def build_notifiers(configs: list[NotifierConfig]) -> dict[str, ConfiguredNotifier]:
    """Build each configured notifier through the registry, keyed by its name."""
    built: dict[str, ConfiguredNotifier] = {}
    for entry in configs:
        kind = notifier_type(entry.type)
        notifier = kind.build(entry.display_name, entry.options(), entry.timeout_s)
        built[entry.display_name] = (notifier, entry.retry_policy())
    return built


def run_check(
    ledger: Ledger,
    config: AlertsConfig,
    at: datetime,
    now: datetime,
    *,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckResult:
    """Evaluate the rules at ``at``, store new firings and deliver; ``dry_run`` stores and sends nothing."""
    notifiers = build_notifiers(config.notifiers)
    result = CheckResult(at=at, dry_run=dry_run)
    for alert in evaluate(ledger.con, config, at):
        if has_fired(ledger.con, alert.key):
            result.already_fired.append(alert)
            continue
        result.fired.append(alert)
        if not dry_run:
            record_firing(ledger.con, alert, list(notifiers), now)
            logger.info("alert %s fired", alert.key)
    if not dry_run:
        for pending in pending_deliveries(ledger.con):
            delivery = _deliver_one(ledger, pending, notifiers, now, sleep)
            if delivery is not None:
                result.deliveries.append(delivery)
    return result


def _deliver_one(
    ledger: Ledger,
    pending: PendingDelivery,
    notifiers: dict[str, ConfiguredNotifier],
    now: datetime,
    sleep: Callable[[float], None],
) -> Delivery | None:
    configured = notifiers.get(pending.notifier)
    if configured is None:
        # NOTE: a notifier removed from the configuration leaves its pending rows
        # in the outbox; 'alerts list' counts them, and they are sent again if a
        # notifier of that name comes back.
        return None
    notifier, policy = configured
    try:
        attempts = deliver(notifier, pending.notification, policy, sleep)
    except DeliveryError as exc:
        error = str(exc)
        attempts = exc.attempts
    except Exception as exc:
        # A plug-in notifier may raise anything; isolating it keeps the other
        # notifiers running, and the alert stays pending for the next check.
        logger.exception("notifier %s raised an unexpected error", pending.notifier)
        error = f"unexpected {type(exc).__name__} from the notifier"
        attempts = 1
    else:
        mark_delivered(ledger.con, pending.alert_key, pending.notifier, attempts, now)
        return Delivery(pending.alert_key, pending.notifier, True, attempts)
    mark_failed(ledger.con, pending.alert_key, pending.notifier, attempts, error, now)
    return Delivery(pending.alert_key, pending.notifier, False, attempts, error)
