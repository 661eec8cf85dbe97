"""The notifier registry: each kind of notifier registers its options model and factory.

Built-in notifiers register themselves when ``truecost.notify`` is imported; a
third-party notifier calls ``register`` the same way. ``[[alerts.notifiers]]``
entries are validated against the options model of their ``type``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from truecost.notify.base import Notifier

NotifierFactory = Callable[[str, BaseModel, float], Notifier]


@dataclass(frozen=True)
class NotifierType:
    """A kind of notifier: its ``type`` name, its options model and how to build one.

    ``build(name, options, timeout_s)`` returns a ready notifier.
    """

    name: str
    options: type[BaseModel]
    build: NotifierFactory


_TYPES: dict[str, NotifierType] = {}


def register(kind: NotifierType) -> NotifierType:
    """Add a kind of notifier; a later registration under the same name replaces the earlier."""
    _TYPES[kind.name] = kind
    return kind


def known_types() -> list[str]:
    """Return the registered type names in alphabetical order."""
    return sorted(_TYPES)


def notifier_type(name: str) -> NotifierType:
    """Return the registered kind called ``name``, or raise ``ValueError`` naming the valid ones."""
    kind = _TYPES.get(name)
    if kind is not None:
        return kind
    close = difflib.get_close_matches(name, _TYPES, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"unknown notifier type '{name}'.{hint} Use one of: {', '.join(known_types())}"
    )
