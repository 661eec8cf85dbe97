"""Shared fixtures: real ledgers in temporary files and the CI rule for server-backed tests."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog

DATA = Path(__file__).parent / "data"


def server_reachable(host: str, port: int) -> bool:
    """Return True when a TCP server accepts connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_server(name: str, host: str, port: int) -> None:
    """Skip the calling test when the server is absent, but fail under CI=true, where it must run."""
    if server_reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(f"{message}; start it to run this test")


@pytest.fixture
def catalog() -> PriceCatalog:
    return PriceCatalog()


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    opened = Ledger(tmp_path / "ledger.duckdb")
    yield opened  # type: ignore[misc]
    opened.close()
