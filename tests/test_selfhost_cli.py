"""``truecost selfhost`` on options alone: the rule of thumb, profiles, the chart rows, bad input."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.analyses.selfhost_profiles import all_profiles, load_profiles, shipped_profiles_path
from truecost.cli.main import main
from truecost.errors import ConfigError

RULE_OF_THUMB = [
    "--capacity-rpm",
    "200",
    "--gpu-usd-per-month",
    "2000",
    "--peak-rpm",
    "200",
    "--peak-to-average",
    "2",
    "--input-tokens",
    "1500",
    "--output-tokens",
    "500",
    "--api-input-usd-per-mtok",
    "3",
    "--api-output-usd-per-mtok",
    "3",
    "--max-utilization-percent",
    "100",
    "--engineering-hours-per-month",
    "20",
    "--engineering-usd-per-hour",
    "100",
    "--overhead-percent",
    "30-50",
]


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A truecost.toml in the working folder would change the defaults.
    monkeypatch.chdir(tmp_path)


def test_estimate_rule_of_thumb_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfhost", "estimate", *RULE_OF_THUMB, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    low, high = data["estimates"]
    assert low["api_usd_per_month"] == "25920.000"
    assert low["total_usd_per_month"] == "4600.0"
    assert high["total_usd_per_month"] == "5000.0"
    crossover_low, crossover_high = data["crossovers"]
    assert Decimal(crossover_low["peak_requests_per_minute"]).quantize(Decimal("0.01")) == Decimal(
        "35.49"
    )
    assert Decimal(crossover_high["peak_requests_per_minute"]).quantize(Decimal("0.01")) == Decimal(
        "38.58"
    )


def test_estimate_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfhost", "estimate", *RULE_OF_THUMB]) == 0
    out = capsys.readouterr().out
    assert "overhead 30.0%" in out
    assert "overhead 50.0%" in out
    assert "$25,920.00" in out
    assert "35.49" in out


def test_config_file_sets_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "truecost.toml").write_text(
        '[selfhost]\nengineering_hours_per_month = 0\noverhead_percent = "30"\nmax_utilization_percent = 100\n'
        "[scale]\n"
    )
    args = [a for a in RULE_OF_THUMB]
    for option in (
        "--engineering-hours-per-month",
        "--overhead-percent",
        "--max-utilization-percent",
    ):
        index = args.index(option)
        del args[index : index + 2]
    assert main(["selfhost", "estimate", *args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (crossover,) = data["crossovers"]
    assert Decimal(crossover["peak_requests_per_minute"]).quantize(Decimal("0.01")) == Decimal(
        "20.06"
    )


def test_config_unknown_key_suggests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "truecost.toml").write_text("[selfhost]\nengineering_hours_per_mont = 5\n")
    assert main(["selfhost", "estimate", *RULE_OF_THUMB]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'selfhost.engineering_hours_per_mont'" in err
    assert "engineering_hours_per_month" in err


def test_curve_csv_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "selfhost",
                "curve",
                *RULE_OF_THUMB,
                "--max-rpm",
                "400",
                "--steps",
                "4",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == [
        "peak rpm",
        "requests/day",
        "tokens/month",
        "API $/month",
        "self-host $/month",
        "replicas",
    ]
    assert rows[-1] == ["400.00", "288,000", "17,280,000,000", "$51,840.00", "$7,200.00", "2"]


def test_profile_capacity_from_shipped_measurement(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "selfhost",
        "estimate",
        "--profile",
        "llama-3.1-8b-fp8/1xa100-80gb/vllm-0.5.4",
        "--gpu-usd-per-hour",
        "2",
        "--peak-rpm",
        "100",
        "--input-tokens",
        "1500",
        "--output-tokens",
        "500",
        "--api-input-usd-per-mtok",
        "3",
        "--api-output-usd-per-mtok",
        "3",
        "--format",
        "json",
    ]
    assert main(args) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    # 1,517.54 output tokens a second * 60 / 500 output tokens a request.
    assert data["requests_per_minute_per_replica"] == "182.1048"
    assert "measured at other request lengths" in captured.err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--gpu-usd-per-month", "0"), "--gpu-usd-per-month must be above 0 (got 0)"),
        (("--gpu-usd-per-month", "-100"), "--gpu-usd-per-month must be above 0 (got -100)"),
        (("--capacity-rpm", "0"), "--capacity-rpm must be above 0 (got 0)"),
        (
            ("--max-utilization-percent", "120"),
            "maximum utilization must be above 0% and at most 100% (got 120.0%)",
        ),
        (("--max-utilization-percent", "0"), "must be above 0%"),
        (("--peak-rpm", "-5"), "peak requests per minute must be 0 or more (got -5)"),
        (("--peak-to-average", "0.5"), "peak-to-average ratio must be 1 or more (got 0.5)"),
        (("--overhead-percent", "50-30"), "--overhead-percent: range low 50 is above high 30"),
        (("--overhead-percent", "-10"), "--overhead-percent: must be zero or more, got '-10'"),
        (("--output-tokens", "-1"), "output tokens per request must be 0 or more (got -1)"),
        (
            ("--api-input-usd-per-mtok", "-3"),
            "API input price (USD per million tokens) must be 0 or more",
        ),
    ],
)
def test_bad_input_exits_2_naming_value(
    change: tuple[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = list(RULE_OF_THUMB)
    args[args.index(change[0]) + 1] = change[1]
    assert main(["selfhost", "estimate", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_gpu_price_given_twice_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfhost", "estimate", *RULE_OF_THUMB, "--gpu-usd-per-hour", "3"]) == 2
    assert "give the GPU price once" in capsys.readouterr().err


def test_undersized_fixed_replicas_warns(capsys: pytest.CaptureFixture[str]) -> None:
    args = list(RULE_OF_THUMB)
    args[args.index("--peak-rpm") + 1] = "300"
    assert main(["selfhost", "estimate", *args, "--replicas", "1", "--format", "json"]) == 0
    assert "run the peak hour at 150% of capacity" in capsys.readouterr().err


def test_shipped_profiles_are_published_with_sources() -> None:
    profiles = load_profiles(shipped_profiles_path())
    assert len(profiles) == 8
    for profile in profiles:
        assert profile.provenance == "published"
        assert profile.source.startswith("https://")
    ids = {p.id for p in profiles}
    assert "llama-3.1-70b-fp8/1xh100-80gb/vllm-0.5.4" in ids
    a100 = next(p for p in profiles if p.id == "llama-3.1-8b-fp8/1xa100-80gb/vllm-0.5.4")
    assert a100.output_tokens_per_second == Decimal("1517.54")


def test_user_profile_replaces_shipped_id(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[profile]]\nid = "llama-3.1-8b-fp8/1xa100-80gb/vllm-0.5.4"\nmodel = "m"\ngpu = "g"\ngpus = 1\n'
        'input_tokens = "100"\noutput_tokens = "100"\nconcurrency = 8\noutput_tokens_per_second = "50"\n'
    )
    profile = all_profiles([path])["llama-3.1-8b-fp8/1xa100-80gb/vllm-0.5.4"]
    assert profile.provenance == "user"
    assert profile.measured_requests_per_minute == Decimal(30)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'output_tokens_per_second = "0"',
            "invalid value for 'profile.0.output_tokens_per_second'",
        ),
        ('output_tokens_per_second = "-20"', "(got '-20')"),
        ("gpus = 0", "invalid value for 'profile.0.gpus'"),
        ("output_tokens_per_secnd = 5", "Did you mean 'output_tokens_per_second'?"),
    ],
)
def test_bad_profile_file_names_value(tmp_path: Path, line: str, message: str) -> None:
    base = {
        "id": '"x"',
        "model": '"m"',
        "gpu": '"g"',
        "gpus": "1",
        "input_tokens": '"1"',
        "output_tokens": '"1"',
        "concurrency": "1",
        "output_tokens_per_second": '"1"',
    }
    key = line.split("=")[0].strip()
    base.pop(key, None)
    body = "\n".join(f"{k} = {v}" for k, v in base.items())
    path = tmp_path / "bad.toml"
    path.write_text(f"[[profile]]\n{body}\n{line}\n")
    with pytest.raises(ConfigError) as info:
        load_profiles(path)
    assert message in str(info.value)


def test_profiles_command_lists_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfhost", "profiles", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][0] == "id"
    assert len(rows) == 9
    assert all(row[7] == "published" for row in rows[1:])


def test_unknown_profile_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    args = [a for a in RULE_OF_THUMB]
    index = args.index("--capacity-rpm")
    del args[index : index + 2]
    assert main(["selfhost", "estimate", *args, "--profile", "llama-3.1-8b-fp8/1xa100"]) == 2
    assert (
        "unknown throughput profile 'llama-3.1-8b-fp8/1xa100'. Did you mean"
        in capsys.readouterr().err
    )
