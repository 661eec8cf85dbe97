"""Notifiers that write locally: the terminal and a JSON lines file."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from truecost.notify.base import DeliveryError, Notification
from truecost.notify.registry import NotifierType, register


class TerminalOptions(BaseModel):
    """Options of ``type = "terminal"``: which stream receives the message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stream: Literal["stderr", "stdout"] = "stderr"


@dataclass
class TerminalNotifier:
    """Write the title and body to standard error (default) or standard output."""

    name: str
    stream: str

    def send(self, notification: Notification) -> None:
        out = sys.stdout if self.stream == "stdout" else sys.stderr
        out.write(f"ALERT {notification.title}\n{notification.text}\n\n")
        out.flush()


class JsonLinesOptions(BaseModel):
    """Options of ``type = "jsonl"``: the file that receives one JSON object per alert."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path


@dataclass
class JsonLinesNotifier:
    """Append each alert's JSON document as one line to a file, creating it if needed."""

    name: str
    path: Path

    def send(self, notification: Notification) -> None:
        line = json.dumps(notification.payload, ensure_ascii=False, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(
                f"cannot append to {self.path}: {exc.strerror}", retryable=False
            ) from None


def _build_terminal(name: str, options: BaseModel, timeout_s: float) -> TerminalNotifier:
    assert isinstance(options, TerminalOptions)
    return TerminalNotifier(name, options.stream)


def _build_jsonl(name: str, options: BaseModel, timeout_s: float) -> JsonLinesNotifier:
    assert isinstance(options, JsonLinesOptions)
    return JsonLinesNotifier(name, options.path.expanduser())


register(NotifierType("terminal", TerminalOptions, _build_terminal))
register(NotifierType("jsonl", JsonLinesOptions, _build_jsonl))
