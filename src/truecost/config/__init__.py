"""``truecost.toml``: one optional table per section, each validated by its own module.

Add a section with one import and one field below; unknown top-level tables are
rejected with the closest valid name suggested.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from truecost.config.budgets import AlertsConfig
from truecost.config.coststack import CostStackConfig
from truecost.config.loader import CONFIG_ENV, default_config_path, read_toml, validate_file
from truecost.config.savings import SavingsConfig
from truecost.config.scale import ScaleConfig
from truecost.config.selfhost import SelfHostConfig


class TruecostConfig(BaseModel):
    """The whole configuration file; a missing table means that section's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alerts: AlertsConfig | None = None
    coststack: CostStackConfig | None = None
    savings: SavingsConfig | None = None
    scale: ScaleConfig | None = None
    selfhost: SelfHostConfig | None = None


def load_config(path: Path) -> TruecostConfig:
    """Read and validate a configuration file, raising ``ConfigError`` naming the file and key."""
    return validate_file(path, read_toml(path, "configuration file"), TruecostConfig)


def load_config_or_default(path: Path | None) -> TruecostConfig:
    """Load ``path`` (from ``--config``), else ``$TRUECOST_CONFIG``, else ``./truecost.toml`` if present.

    Only the implicit ``./truecost.toml`` may be missing; then every section has its defaults.
    """
    if path is not None or os.environ.get(CONFIG_ENV):
        return load_config(path or default_config_path())
    default = default_config_path()
    return load_config(default) if default.exists() else TruecostConfig()


__all__ = ["TruecostConfig", "default_config_path", "load_config", "load_config_or_default"]
