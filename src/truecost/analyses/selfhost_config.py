"""Read the ``[selfhost]`` table of ``truecost.toml`` (defined in ``truecost.config.selfhost``).

The table, with command-line options in place of its keys, becomes the
``SelfHostRequest`` that ``truecost selfhost`` and the HTML report both use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from truecost.analyses.selfhost_inputs import HUNDRED, to_shares
from truecost.analyses.selfhost_report import SelfHostRequest, gpu_usd_per_month
from truecost.config import load_config_or_default
from truecost.config.selfhost import SelfHostConfig

# Keys that name one quantity two ways: an option for either key replaces both
# keys of the file, so that --capacity-rpm wins over the file's profile.
PAIRED_KEYS = (
    ("profile", "capacity_rpm"),
    ("gpu_usd_per_hour", "gpu_usd_per_month"),
    ("api_input_usd_per_mtok", "api_output_usd_per_mtok"),
)


def load_selfhost_config(path: Path | None) -> SelfHostConfig:
    """Read ``[selfhost]`` from ``path``, else from the default config file when it exists."""
    return load_config_or_default(path).selfhost or SelfHostConfig()


def with_options(config: SelfHostConfig, options: Mapping[str, object]) -> SelfHostConfig:
    """Return ``config`` with each option that is not None in place of the key of the same name."""
    unknown = set(options) - set(SelfHostConfig.model_fields)
    if unknown:
        raise ValueError(f"not [selfhost] keys: {', '.join(sorted(unknown))}")
    update = {key: value for key, value in options.items() if value is not None}
    for pair in PAIRED_KEYS:
        if any(key in update for key in pair):
            for key in pair:
                update.setdefault(key, None)
    return config.model_copy(update=update)


def selfhost_request(config: SelfHostConfig) -> SelfHostRequest:
    """Return the request a ``[selfhost]`` table describes; the rest of the traffic comes from the ledger.

    Raises ``InputError`` when the table gives no GPU price.
    """
    return SelfHostRequest(
        gpu_usd_per_month=gpu_usd_per_month(
            config.gpu_usd_per_hour, config.gpu_usd_per_month, config.days_per_month
        ),
        overhead=to_shares(config.overhead_percent),
        engineering_hours_per_month=config.engineering_hours_per_month,
        engineering_usd_per_hour=config.engineering_usd_per_hour,
        max_utilization=config.max_utilization_percent / HUNDRED,
        days_per_month=config.days_per_month,
        profile_id=config.profile,
        requests_per_minute_per_replica=config.capacity_rpm,
        gpus_per_replica=config.gpus_per_replica,
        replicas=config.replicas,
        api_input_usd_per_mtok=config.api_input_usd_per_mtok,
        api_output_usd_per_mtok=config.api_output_usd_per_mtok,
        peak_to_average=config.peak_to_average,
    )
