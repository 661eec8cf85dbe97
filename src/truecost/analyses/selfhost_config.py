"""Read the ``[selfhost]`` table of ``truecost.toml`` (defined in ``truecost.config.selfhost``)."""

from __future__ import annotations

from pathlib import Path

from truecost.config import load_config_or_default
from truecost.config.selfhost import SelfHostConfig


def load_selfhost_config(path: Path | None) -> SelfHostConfig:
    """Read ``[selfhost]`` from ``path``, else from the default config file when it exists."""
    return load_config_or_default(path).selfhost or SelfHostConfig()
