"""Notifiers: where alerts go (terminal, JSON lines file, webhook, Slack, e-mail).

Importing this package registers the built-in kinds; see ``truecost.notify.registry``.
"""

from truecost.notify import local, smtp, webhook
from truecost.notify.base import DeliveryError, Notification, Notifier, RetryPolicy, deliver
from truecost.notify.registry import NotifierType, known_types, notifier_type, register

__all__ = [
    "DeliveryError",
    "Notification",
    "Notifier",
    "NotifierType",
    "RetryPolicy",
    "deliver",
    "known_types",
    "local",
    "notifier_type",
    "register",
    "smtp",
    "webhook",
]
