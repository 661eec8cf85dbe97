"""The ``[selfhost]`` table of ``truecost.toml``: what running GPUs costs beyond their price.

Every key is optional; a command-line option wins over the file, and the file
over these defaults::

    [selfhost]
    engineering_hours_per_month = 20   # people time GPU serving takes each month
    engineering_usd_per_hour = 100
    overhead_percent = "30-50"         # over the raw GPU price: network, storage, spares
    max_utilization_percent = 80       # share of measured capacity the peak hour may use

    # A GPU deployment: with it, `truecost selfhost` needs no deployment options
    # and the HTML report draws the monthly cost against volume.
    profile = "llama-3.1-8b-fp8/1xa100-80gb/vllm-0.5.4"  # or capacity_rpm = 120
    gpu_usd_per_hour = 1.8             # or gpu_usd_per_month, per GPU
    gpus_per_replica = 1               # default: the profile's GPU count
    api_input_usd_per_mtok = 3         # both or neither; neither: the ledger's spend
    api_output_usd_per_mtok = 15       # per priced request
    peak_to_average = 2                # busiest hour over the average; default: the ledger's
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

    # The deployment. Each pair names one quantity two ways, so a file sets at
    # most one key of the pair, and a command-line option replaces the pair.
    profile: str | None = Field(default=None, min_length=1)
    capacity_rpm: Decimal | None = Field(default=None, gt=0)
    gpus_per_replica: int | None = Field(default=None, gt=0)
    replicas: int | None = Field(default=None, gt=0)
    gpu_usd_per_hour: Decimal | None = Field(default=None, gt=0)
    gpu_usd_per_month: Decimal | None = Field(default=None, gt=0)
    api_input_usd_per_mtok: Decimal | None = Field(default=None, ge=0)
    api_output_usd_per_mtok: Decimal | None = Field(default=None, ge=0)
    # The traffic shape to plan for, when the ledger's window (a trial, a few
    # bursts) does not show it.
    peak_to_average: Decimal | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check_pairs(self) -> SelfHostConfig:
        if self.profile is not None and self.capacity_rpm is not None:
            raise ValueError("set profile or capacity_rpm, not both")
        if self.gpu_usd_per_hour is not None and self.gpu_usd_per_month is not None:
            raise ValueError("set gpu_usd_per_hour or gpu_usd_per_month, not both")
        if (self.api_input_usd_per_mtok is None) != (self.api_output_usd_per_mtok is None):
            raise ValueError(
                "set both api_input_usd_per_mtok and api_output_usd_per_mtok, or neither "
                "to price requests at the ledger's spend"
            )
        return self

    @property
    def names_deployment(self) -> bool:
        """True when the table gives a capacity (profile or capacity_rpm) and a GPU price."""
        capacity = self.profile is not None or self.capacity_rpm is not None
        price = self.gpu_usd_per_hour is not None or self.gpu_usd_per_month is not None
        return capacity and price
