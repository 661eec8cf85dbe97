"""Alerts: budget thresholds, forecasted overruns and spend spikes, fired once per period."""

from truecost.alerts.alert import Alert, Driver
from truecost.alerts.check import CheckResult, Delivery, build_notifiers, run_check
from truecost.alerts.listing import RuleState, rule_states
from truecost.alerts.rules import evaluate

__all__ = [
    "Alert",
    "CheckResult",
    "Delivery",
    "Driver",
    "RuleState",
    "build_notifiers",
    "evaluate",
    "rule_states",
    "run_check",
]
