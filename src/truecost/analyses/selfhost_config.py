"""The ``[selfhost]`` table of ``truecost.toml``: what running GPUs costs beyond their price.

Every key is optional; a command-line option wins over the file, and the file
over these defaults::

    [selfhost]
    engineering_hours_per_month = 20   # people time GPU serving takes each month
    engineering_usd_per_hour = 100
    overhead_percent = "30-50"         # over the raw GPU price: network, storage, spares
    max_utilization_percent = 80       # share of measured capacity the peak hour may use
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from truecost.analyses.selfhost_inputs import read_toml
from truecost.errors import ConfigError
from truecost.pricing.overrides import format_validation_error

DEFAULT_CONFIG_PATH = Path("truecost.toml")


class SelfHostConfig(BaseModel):
    """Defaults for ``truecost selfhost``; see the module docstring for the meaning of each key."""

    model_config = ConfigDict(extra="forbid")

    # Assumptions, not measurements: a part-time share of one engineer keeping a
    # GPU deployment patched, monitored and scaled.
    engineering_hours_per_month: Decimal = Field(default=Decimal(20), ge=0)
    engineering_usd_per_hour: Decimal = Field(default=Decimal(100), ge=0)
    overhead_percent: str = "30-50"
    # Queueing delay grows steeply as a server nears saturation, so the peak
    # hour is planned below 100% of the measured throughput.
    max_utilization_percent: Decimal = Field(default=Decimal(80), gt=0, le=100)
    days_per_month: Decimal = Field(default=Decimal(30), gt=0)


class _ConfigFile(BaseModel):
    """The parts of ``truecost.toml`` this module reads; other tables are left to their owners."""

    model_config = ConfigDict(extra="ignore")

    selfhost: SelfHostConfig = Field(default_factory=SelfHostConfig)


def load_selfhost_config(path: Path | None) -> SelfHostConfig:
    """Read ``[selfhost]`` from ``path`` (default ``./truecost.toml`` when it exists)."""
    if path is None:
        if not DEFAULT_CONFIG_PATH.exists():
            return SelfHostConfig()
        path = DEFAULT_CONFIG_PATH
    raw = read_toml(path, "configuration file")
    try:
        return _ConfigFile.model_validate(raw).selfhost
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc, SelfHostConfig)) from None
