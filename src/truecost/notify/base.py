"""What every notifier shares: the message, the delivery error, retries with backoff.

A notifier raises ``DeliveryError`` for a failed attempt. ``deliver`` retries
the attempts marked retryable (a timeout, a refused connection, an HTTP 5xx or
429, a temporary SMTP error) with exponential backoff, and raises the last
error. Messages of a ``DeliveryError`` never contain a secret: each notifier
redacts the values it read from the environment before raising.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger("truecost.notify")

REDACTED = "***"


@dataclass(frozen=True)
class Notification:
    """One alert ready to send: a one-line title, a plain-text body and a JSON document."""

    key: str
    title: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """A delivery attempt failed; ``retryable`` says whether trying again soon may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable
        # ``deliver`` sets the number of attempts made before giving up.
        self.attempts = 1


class Notifier(Protocol):
    """Something that sends notifications; ``send`` raises ``DeliveryError`` on failure."""

    name: str

    def send(self, notification: Notification) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per delivery, the first backoff in seconds (doubled each time) and the timeout."""

    attempts: int = 3
    backoff_s: float = 1.0
    timeout_s: float = 10.0


def deliver(
    notifier: Notifier,
    notification: Notification,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send with retries; return the number of attempts made or raise the last ``DeliveryError``."""
    delay = policy.backoff_s
    for attempt in range(1, policy.attempts + 1):
        try:
            notifier.send(notification)
        except DeliveryError as exc:
            final = attempt == policy.attempts or not exc.retryable
            logger.warning(
                "notifier %s: attempt %d of %d for %s failed: %s%s",
                notifier.name,
                attempt,
                policy.attempts,
                notification.key,
                exc,
                "" if final else f"; retrying in {delay:g} s",
            )
            if final:
                exc.attempts = attempt
                raise
            sleep(delay)
            delay *= 2
        else:
            logger.info("notifier %s: sent %s", notifier.name, notification.key)
            return attempt
    raise AssertionError("unreachable: the loop returns or raises")


def secret_from_env(variable: str) -> str:
    """Return the value of an environment variable that contains a secret, or raise ``DeliveryError``."""
    value = os.environ.get(variable, "")
    if not value:
        raise DeliveryError(
            f"environment variable {variable} is not set; export it where truecost runs",
            retryable=False,
        )
    return value


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret value that occurs in ``text`` with ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text
