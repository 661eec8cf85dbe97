"""Build the replay context from a config file, a texts file and command-line overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from truecost.config import load_config_or_default
from truecost.config.savings import SavingsConfig
from truecost.errors import ConfigError, InputError
from truecost.pricing import PriceCatalog
from truecost.pricing.overrides import format_validation_error
from truecost.savings.base import ReplayContext
from truecost.savings.difficulty_model import load_labels, train
from truecost.savings.texts import load_texts


def load_savings_config(path: Path | None) -> dict[str, Any]:
    """Return the ``[savings]`` table of the configuration file as plain data (empty when absent)."""
    section = load_config_or_default(path).savings
    return section.model_dump(mode="json") if section is not None else {}


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for value in values:
        name, sep, target = value.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise InputError(f"invalid {option} '{value}': use NAME=VALUE.")
        parsed[name.strip()] = target.strip()
    return parsed


def build_context(
    catalog: PriceCatalog,
    config_path: Path | None,
    texts_path: Path | None,
    tiers: tuple[str, ...] = (),
    not_realtime: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
    routing_labels: Path | None = None,
) -> ReplayContext:
    """Merge the config file with the options given on the command line (options win)."""
    raw: dict[str, Any] = load_savings_config(config_path)
    if tiers:
        raw["tiers"] = {**raw.get("tiers", {}), **_pairs(tiers, "--tier")}
    if not_realtime:
        raw["not_realtime_features"] = [*raw.get("not_realtime_features", []), *not_realtime]
    if prefixes:
        declared = _pairs(prefixes, "--prefix-tokens")
        raw["static_prefix_tokens"] = {**raw.get("static_prefix_tokens", {}), **declared}
    if routing_labels is not None:
        raw["routing_labels"] = str(routing_labels)
    try:
        config = SavingsConfig.model_validate(raw)
    except ValidationError as exc:
        where = config_path or Path("command line")
        raise ConfigError(format_validation_error(where, exc, SavingsConfig)) from None
    texts = load_texts(texts_path) if texts_path else None
    labels = config.routing_labels
    classifier = train(load_labels(labels)) if labels is not None else None
    return ReplayContext(catalog=catalog, config=config, texts=texts, classifier=classifier)
