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

from pydantic import BaseModel, ConfigDict, Field

from truecost.config.values import Range, RangeValue


class SelfHostConfig(BaseModel):
    """Defaults for ``truecost selfhost``; see the module docstring for the meaning of each key."""

    model_config = ConfigDict(extra="forbid")

    # Assumptions, not measurements: a part-time share of one engineer keeping a
    # GPU deployment patched, monitored and scaled.
    engineering_hours_per_month: Decimal = Field(default=Decimal(20), ge=0)
    engineering_usd_per_hour: Decimal = Field(default=Decimal(100), ge=0)
    overhead_percent: RangeValue = Field(default_factory=lambda: Range(Decimal(30), Decimal(50)))
    # Queueing delay grows steeply as a server nears saturation, so the peak
    # hour is planned below 100% of the measured throughput.
    max_utilization_percent: Decimal = Field(default=Decimal(80), gt=0, le=100)
    days_per_month: Decimal = Field(default=Decimal(30), gt=0)
