"""``truecost.toml`` loading: sections, typos with suggestions, ranges, path precedence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from truecost.config import TruecostConfig, default_config_path, load_config, load_config_or_default
from truecost.config.values import Range
from truecost.errors import ConfigError

EXAMPLE = Path(__file__).parent.parent / "examples" / "truecost.toml"


def _load(tmp_path: Path, body: str) -> TruecostConfig:
    path = tmp_path / "truecost.toml"
    path.write_text(body, encoding="utf-8")
    return load_config(path)


def test_example_config_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.coststack is not None
    assert sorted(config.coststack.features) == ["coding-agent", "support-bot"]
    support = config.coststack.features["support-bot"]
    assert support.vector_db is not None
    assert support.vector_db.monthly_usd == Range(Decimal(70), Decimal(120))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[costack]\n", "unknown key 'costack'. Did you mean 'coststack'?"),
        (
            "[coststack.features.a]\nenginering = { hours_per_month = 3 }\n",
            "unknown key 'coststack.features.a.enginering'. Did you mean 'engineering'?",
        ),
        (
            "[[coststack.shared]]\nname = 'x'\nmontly_usd = 1\n",
            "unknown key 'coststack.shared.0.montly_usd'. Did you mean 'monthly_usd'?",
        ),
        (
            "[coststack.features.a]\nengineering = { hours_per_month = '20-10' }\n",
            "'coststack.features.a.engineering.hours_per_month': range low 20 is above high 10",
        ),
        (
            "[coststack.features.a]\ninfrastructure = { monthly_usd = -3 }\n",
            "'coststack.features.a.infrastructure.monthly_usd': must be zero or more",
        ),
        (
            "[coststack.features.a]\ninfrastructure = { usd_per_unit = 1, unit = 'minute' }\n",
            "needs exactly one of units_per_request, units_per_outcome or units_per_month",
        ),
        ("[coststack.features.a]\nmonitoring = {}\n", "give at least one amount"),
        (
            "[coststack.features.a.human_baseline]\nusd_per_month = 5000\n",
            "missing key 'coststack.features.a.human_baseline.outcomes_per_day'",
        ),
        (
            "[[coststack.shared]]\nname = 'x'\nmonthly_usd = 1\nallocate_by = 'weights'\n",
            "needs a weights table",
        ),
        ("[[scale.tiers]]\nmin_requests_per_day = 5\nadvice = 'x'\n", "first tier must start at"),
        ("[coststack\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, body)
    assert str(tmp_path / "truecost.toml") in str(caught.value)
    assert message in str(caught.value)


def test_range_forms(tmp_path: Path) -> None:
    body = """
[coststack.features.a]
infrastructure = { monthly_usd = [100, 200] }
monitoring = { monthly_usd = "0.5" }
vector_db = { monthly_usd = 70.1 }
"""
    stack = _load(tmp_path, body).coststack
    assert stack is not None
    feature = stack.features["a"]
    assert feature.infrastructure is not None and feature.monitoring is not None
    assert feature.vector_db is not None
    assert feature.infrastructure.monthly_usd == Range(Decimal(100), Decimal(200))
    assert feature.monitoring.monthly_usd == Range.exact("0.5")
    assert feature.vector_db.monthly_usd == Range.exact("70.1")


def test_default_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRUECOST_CONFIG", raising=False)
    assert default_config_path() == Path("truecost.toml")
    assert load_config_or_default(None) == TruecostConfig()
    (tmp_path / "truecost.toml").write_text("[costack]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="costack"):
        load_config_or_default(None)
    other = tmp_path / "other.toml"
    other.write_text("[scale]\n", encoding="utf-8")
    monkeypatch.setenv("TRUECOST_CONFIG", str(other))
    assert load_config_or_default(None).scale is not None
    # --config wins over the environment.
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[coststack]\n", encoding="utf-8")
    assert load_config_or_default(explicit).coststack is not None
    monkeypatch.setenv("TRUECOST_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="not found"):
        load_config_or_default(None)
