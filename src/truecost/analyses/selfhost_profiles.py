"""Throughput profiles: how many requests one replica of an open model serves per minute.

A profile is one measurement: a model on ``gpus`` GPUs of one type, the mean
input and output tokens per request of the benchmark, the requests in flight,
and the aggregate output tokens per second. truecost ships published
measurements in ``truecost/data/throughput_profiles.toml``; users add their own
in a file of the same shape.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from truecost.config.loader import read_toml, validate_file
from truecost.errors import InputError

SECONDS_PER_MINUTE = 60

# A traffic shape further than this factor from the profile's measured lengths
# makes the capacity estimate a guess, so the report warns about it.
SHAPE_WARNING_FACTOR = Decimal(2)


class ProfileEntry(BaseModel):
    """One ``[[profile]]`` table of a throughput profile file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    model: str = Field(min_length=1)
    model_class: str = ""
    gpu: str = Field(min_length=1)
    gpus: int = Field(gt=0)
    engine: str = ""
    input_tokens: Decimal = Field(ge=0)
    output_tokens: Decimal = Field(gt=0)
    concurrency: int = Field(gt=0)
    output_tokens_per_second: Decimal = Field(gt=0)
    provenance: Literal["published", "user"] = "user"
    source: str = ""
    note: str = ""


class ProfileFile(BaseModel):
    """A whole throughput profile file."""

    model_config = ConfigDict(extra="forbid")

    profile: list[ProfileEntry] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThroughputProfile:
    """A measured serving throughput of one replica (``gpus`` GPUs running one model copy)."""

    id: str
    model: str
    model_class: str
    gpu: str
    gpus: int
    engine: str
    input_tokens: Decimal
    output_tokens: Decimal
    concurrency: int
    output_tokens_per_second: Decimal
    provenance: str
    source: str
    note: str

    @property
    def measured_requests_per_minute(self) -> Decimal:
        """Requests per minute the replica completed at the measured lengths."""
        return self.output_tokens_per_second * SECONDS_PER_MINUTE / self.output_tokens

    def requests_per_minute(self, output_tokens_per_request: Decimal) -> Decimal:
        """Return the replica's capacity for requests of ``output_tokens_per_request``.

        Decoding dominates the serving time of a request, so the capacity scales
        with the output length: the aggregate output tokens per second stay the
        same and each request needs ``output_tokens_per_request`` of them.
        """
        # NOTE: prefill time is ignored, so a traffic shape with much longer
        # prompts than the profile's gets an optimistic capacity.
        if output_tokens_per_request <= 0:
            raise InputError(
                f"mean output tokens per request must be above 0 to size GPUs "
                f"(got {output_tokens_per_request}); pass --output-tokens."
            )
        return self.output_tokens_per_second * SECONDS_PER_MINUTE / output_tokens_per_request

    def shape_warning(self, input_tokens: Decimal, output_tokens: Decimal) -> str | None:
        """Return a warning when the traffic's lengths are far from the measured ones."""
        far = [
            f"{label} {traffic:.0f} vs {measured:.0f} measured"
            for label, traffic, measured in (
                ("input", input_tokens, self.input_tokens),
                ("output", output_tokens, self.output_tokens),
            )
            if _ratio(traffic, measured) > SHAPE_WARNING_FACTOR
        ]
        if not far:
            return None
        return (
            f"profile {self.id} was measured at other request lengths ({', '.join(far)} tokens "
            "per request); measure your own shape and pass it with --profiles FILE."
        )


def _ratio(a: Decimal, b: Decimal) -> Decimal:
    if a <= 0 or b <= 0:
        return Decimal("Infinity") if a != b else Decimal(1)
    return max(a / b, b / a)


def shipped_profiles_path() -> Path:
    """Return the profile file that ships with truecost."""
    return Path(str(files("truecost") / "data" / "throughput_profiles.toml"))


def load_profiles(path: Path) -> list[ThroughputProfile]:
    """Read and validate a profile file; raise ``ConfigError`` naming the bad key or value."""
    raw = read_toml(path, "throughput profile file")
    entries = validate_file(path, raw, ProfileFile).profile
    return [ThroughputProfile(**entry.model_dump()) for entry in entries]


def all_profiles(extra_paths: list[Path] | None = None) -> dict[str, ThroughputProfile]:
    """Return the shipped profiles and the user's, by id; a user's profile replaces one of the same id."""
    profiles: dict[str, ThroughputProfile] = {}
    for path in [shipped_profiles_path(), *(extra_paths or [])]:
        for profile in load_profiles(path):
            profiles[profile.id] = profile
    return profiles


def find_profile(profile_id: str, profiles: dict[str, ThroughputProfile]) -> ThroughputProfile:
    """Return the profile with ``profile_id``; raise ``InputError`` listing close ids otherwise."""
    if profile_id in profiles:
        return profiles[profile_id]
    close = difflib.get_close_matches(profile_id, list(profiles), n=3, cutoff=0.4)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise InputError(
        f"unknown throughput profile '{profile_id}'.{hint} "
        "List them with 'truecost selfhost profiles'."
    )
