"""The ``--config`` option, shared by every subcommand that reads ``truecost.toml``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    """Add ``--config FILE`` (default: $TRUECOST_CONFIG, else ./truecost.toml if present)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Configuration file (TOML). Default: $TRUECOST_CONFIG, else ./truecost.toml if present.",
    )(func)
