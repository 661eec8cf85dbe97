"""The GPU deployment of the ``[selfhost]`` table: validation, and defaults for ``truecost selfhost``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truecost.analyses.selfhost_config import selfhost_request, with_options
from truecost.cli.main import main
from truecost.config import load_config
from truecost.config.selfhost import SelfHostConfig
from truecost.errors import ConfigError, InputError

PROFILE = "llama-3.1-8b-fp8/1xa100-80gb/vllm-0.5.4"
# Traffic given as options, so that the deployment alone comes from the file.
TRAFFIC = [
    "--peak-rpm",
    "200",
    "--input-tokens",
    "1500",
    "--output-tokens",
    "500",
    "--api-input-usd-per-mtok",
    "3",
    "--api-output-usd-per-mtok",
    "3",
]


@pytest.fixture(autouse=True)
def _no_ambient_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUECOST_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "truecost.toml"
    path.write_text("[selfhost]\n" + body, encoding="utf-8")
    return path


def estimate_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["selfhost", "estimate", *args, "--format", "json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_deployment_keys_load(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        f'profile = "{PROFILE}"\ngpu_usd_per_hour = 1.8\ngpus_per_replica = 2\n'
        "api_input_usd_per_mtok = 3\napi_output_usd_per_mtok = 15\npeak_to_average = 2\n",
    )
    config = load_config(path).selfhost
    assert config is not None
    assert config.names_deployment
    request = selfhost_request(config)
    # $1.8 an hour, 24 hours, 30 days.
    assert str(request.gpu_usd_per_month) == "1296.0"
    assert request.profile_id == PROFILE
    assert request.gpus_per_replica == 2
    assert str(request.api_output_usd_per_mtok) == "15"
    assert str(request.peak_to_average) == "2"


def test_unknown_deployment_key_suggests(tmp_path: Path) -> None:
    path = write_config(tmp_path, "gpu_usd_per_hr = 2\n")
    with pytest.raises(
        ConfigError,
        match=r"unknown key 'selfhost.gpu_usd_per_hr'\. Did you mean 'gpu_usd_per_hour'\?",
    ):
        load_config(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f'profile = "{PROFILE}"\ncapacity_rpm = 100\n', "set profile or capacity_rpm, not both"),
        ("gpu_usd_per_hour = 2\ngpu_usd_per_month = 1500\n", "not both"),
        (
            "api_input_usd_per_mtok = 3\n",
            "set both api_input_usd_per_mtok and api_output_usd_per_mtok",
        ),
        ("gpu_usd_per_hour = 0\n", "selfhost.gpu_usd_per_hour': Input should be greater than 0"),
        ("capacity_rpm = -5\n", "selfhost.capacity_rpm': Input should be greater than 0"),
        ("gpus_per_replica = 0\n", "selfhost.gpus_per_replica"),
        (
            "peak_to_average = 0.99\n",
            "selfhost.peak_to_average': Input should be greater than or equal to 1",
        ),
        ('profile = ""\n', "selfhost.profile"),
    ],
)
def test_invalid_deployment_rejected(tmp_path: Path, body: str, message: str) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(
        ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")
    ) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    "body",
    [
        "gpu_usd_per_hour = 0.000001\n",
        "peak_to_average = 1\n",
        "api_input_usd_per_mtok = 0\napi_output_usd_per_mtok = 0\n",
    ],
)
def test_smallest_valid_values_accepted(tmp_path: Path, body: str) -> None:
    assert load_config(write_config(tmp_path, body)).selfhost is not None


def test_names_deployment_needs_capacity_and_price() -> None:
    assert not SelfHostConfig().names_deployment
    assert not SelfHostConfig(profile=PROFILE).names_deployment
    assert not SelfHostConfig.model_validate({"gpu_usd_per_hour": 2}).names_deployment
    assert SelfHostConfig.model_validate(
        {"capacity_rpm": 100, "gpu_usd_per_month": 1500}
    ).names_deployment


def test_request_without_gpu_price_names_keys() -> None:
    with pytest.raises(
        InputError, match=r"gpu_usd_per_hour or gpu_usd_per_month in the \[selfhost\] table"
    ):
        selfhost_request(SelfHostConfig(profile=PROFILE))


def test_option_replaces_both_keys_of_pair() -> None:
    config = SelfHostConfig.model_validate({"capacity_rpm": 100, "gpu_usd_per_hour": 2})
    merged = with_options(config, {"profile": PROFILE, "gpu_usd_per_month": None})
    assert merged.profile == PROFILE
    assert merged.capacity_rpm is None
    # An option left unset keeps the file's pair.
    assert str(merged.gpu_usd_per_hour) == "2"


def test_cli_takes_deployment_from_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    explicit = estimate_json(
        capsys,
        *TRAFFIC,
        "--capacity-rpm",
        "200",
        "--gpu-usd-per-month",
        "2000",
        "--peak-to-average",
        "2",
    )
    write_config(tmp_path, "capacity_rpm = 200\ngpu_usd_per_month = 2000\npeak_to_average = 2\n")
    from_config = estimate_json(capsys, *TRAFFIC)
    assert from_config == explicit
    assert from_config["traffic"]["peak_to_average"] == "2"  # type: ignore[index]


def test_cli_option_wins_over_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = estimate_json(capsys, *TRAFFIC, "--profile", PROFILE, "--gpu-usd-per-month", "2000")
    write_config(tmp_path, "capacity_rpm = 200\ngpu_usd_per_hour = 9\n")
    data = estimate_json(capsys, *TRAFFIC, "--profile", PROFILE, "--gpu-usd-per-month", "2000")
    assert data == expected
    assert data["profile"]["id"] == PROFILE  # type: ignore[index]


def test_cli_unknown_config_profile_suggests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, 'profile = "llama-3.1-8b-fp8/1xa100"\ngpu_usd_per_hour = 2\n')
    assert main(["selfhost", "estimate", *TRAFFIC]) == 2
    err = capsys.readouterr().err
    assert "unknown throughput profile 'llama-3.1-8b-fp8/1xa100'" in err
    assert PROFILE in err
