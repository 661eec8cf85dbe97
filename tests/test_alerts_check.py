"""``truecost alerts check`` and ``alerts list`` end to end: firing once, outbox, exit statuses."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from alerts_helpers import GPT4O, call, fill, steady
from loopback_servers import free_port, http_endpoint
from truecost.cli.main import main, set_exit_status
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog

BUDGETS = """
[[alerts.budgets]]
name = "org"
amount_usd = 1000

[alerts.spikes]
enabled = false
"""


@pytest.fixture(autouse=True)
def fresh_exit_status() -> None:
    # NOTE: main() keeps the status an earlier command set in this process.
    set_exit_status(0)


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "truecost.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def march_ledger(ledger: Ledger, catalog: PriceCatalog) -> Path:
    """$30 a day of chat from 2026-02-01 to 2026-03-26, plus search from 2026-03-20."""
    records = steady(date(2026, 2, 1), 54, 30)
    records += [
        call(date(2026, 3, 20) + timedelta(days=i), 20, "search", model=GPT4O) for i in range(7)
    ]
    fill(ledger, catalog, records)
    assert ledger.path is not None
    ledger.close()
    return ledger.path


def check(ledger_path: Path, config: Path, at: str, *extra: str) -> int:
    return main(
        [
            "alerts",
            "check",
            "--ledger",
            str(ledger_path),
            "--config",
            str(config),
            "--at",
            at,
            *extra,
        ]
    )


def test_budget_fires_once_per_period(
    march_ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, BUDGETS)
    # By 2026-03-27 March spent 26 x $30 + 7 x $20 = $920: 80% passed, 100% forecast.
    assert check(march_ledger, config, "2026-03-27") == 1
    out = capsys.readouterr().out
    assert "FIRED Budget org at 92.0% of $1,000.00 for 2026-03 ($920.00)" in out
    assert "FIRED Budget org forecast to reach" in out
    assert "largest rise: feature search, model gpt-4o-2024-08-06, +$140.00" in out
    assert check(march_ledger, config, "2026-03-27T06:00") == 0
    out = capsys.readouterr().out
    assert "nothing fired" in out
    assert "budget:org:80%@2026-03" in out


def test_threshold_boundary(
    march_ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path,
        BUDGETS.replace("amount_usd = 1000", "amount_usd = 1000\nforecast_thresholds_pct = []"),
    )
    # 2026-03-24 00:00: 23 x $30 + 4 x $20 = $770, below 80% of $1,000.
    assert check(march_ledger, config, "2026-03-24", "--dry-run") == 0
    # 2026-03-25 00:00: 24 x $30 + 5 x $20 = $820, above.
    assert check(march_ledger, config, "2026-03-25", "--dry-run") == 1
    assert "82.0%" in capsys.readouterr().out


def test_failed_webhook_is_kept_and_retried(
    march_ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jsonl = tmp_path / "alerts.jsonl"
    config = write_config(
        tmp_path,
        BUDGETS
        + f"""
[[alerts.notifiers]]
type = "slack"
url_env = "TEST_SLACK_URL"
backoff_s = 0

[[alerts.notifiers]]
type = "jsonl"
path = "{jsonl}"
""",
    )
    monkeypatch.setenv("TEST_SLACK_URL", f"http://127.0.0.1:{free_port()}/services/s3cr3t")
    assert check(march_ledger, config, "2026-03-27") == 3
    captured = capsys.readouterr()
    assert "notifier 'slack' failed for budget:org:80%@2026-03 after 3 attempts" in captured.err
    assert "kept for the next check" in captured.err
    assert "s3cr3t" not in captured.out + captured.err
    assert len(jsonl.read_text().splitlines()) == 2

    with http_endpoint(status=500) as endpoint:
        monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
        assert check(march_ledger, config, "2026-03-27T01:00") == 3
        assert len(endpoint.bodies) == 6
        endpoint.status = 200
        endpoint.bodies.clear()
        assert check(march_ledger, config, "2026-03-27T02:00") == 0
    texts = sorted(body["text"].splitlines()[0] for body in endpoint.bodies)
    assert len(texts) == 2
    assert texts[0].startswith("*Budget org at 92.0%")
    assert len(jsonl.read_text().splitlines()) == 2
    capsys.readouterr()
    assert (
        main(
            [
                "alerts",
                "list",
                "--ledger",
                str(march_ledger),
                "--config",
                str(config),
                "--at",
                "2026-03-27",
            ]
        )
        == 0
    )
    listing = capsys.readouterr().out
    assert "budget:org:80%     all spend, 2026-03, spend >= 80%" in listing
    assert "pending" not in listing


def test_spike_alert_json(
    march_ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "[alerts.spikes]\nmin_usd = 5\n")
    assert check(march_ledger, config, "2026-03-21", "--format", "json", "--dry-run") == 1
    document = json.loads(capsys.readouterr().out)
    assert document["dry_run"] is True
    # The total ($50) stays below twice its same-weekday median ($30); search is new.
    assert [(a["rule"], a["period"], a["amount_usd"]) for a in document["fired"]] == [
        ("spike:feature=search", "2026-03-20", "20.000000"),
    ]
    assert document["fired"][0]["driver"]["feature"] == "search"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[alerts.budgets]]\namount_usd = 10\nscope = { team = 'x' }\n",
            "unknown scope dimension 'team'",
        ),
        ("[[alerts.budgets]]\namount_usd = 0\n", "alerts.budgets.0.amount_usd"),
        ("[[alerts.budgets]]\namount_usd = 5\nthresholds_pct = [0]\n", "above 0 and at most 1000"),
        ("[[alerts.notifiers]]\ntype = 'slack'\nurl_enf = 'X'\n", "Did you mean 'url_env'?"),
        ("[[alerts.notifiers]]\ntype = 'pager'\n", "unknown notifier type 'pager'"),
        ("[alerts]\nbudget = []\n", "Did you mean 'budgets'?"),
        (
            "[[alerts.notifiers]]\ntype = 'terminal'\n[[alerts.notifiers]]\ntype = 'terminal'\n",
            "two notifiers are called 'terminal'",
        ),
    ],
)
def test_bad_configuration_exits_2(
    march_ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    config = write_config(tmp_path, text)
    assert check(march_ledger, config, "2026-03-27") == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_report_compare(march_ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["report", "--ledger", str(march_ledger), "--compare", "2026-W13", "--format", "csv"])
        == 0
    )
    # Week 13 contains chat up to 2026-03-26 (4 days) and search for the same 4 days;
    # week 12 contains 7 days of chat and search from 2026-03-20 (3 days).
    assert capsys.readouterr().out.splitlines() == [
        "feature,model,current_usd,previous_usd,change_usd",
        "chat,claude-sonnet-4-20250514,120.000000,210.000000,-90.000000",
        "search,gpt-4o-2024-08-06,80.000000,60.000000,20.000000",
    ]


def test_forecast_command(march_ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "forecast",
                "--ledger",
                str(march_ledger),
                "--as-of",
                "2026-03-15",
                "--format",
                "json",
                "--where",
                "feature=chat",
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["month"] == "2026-03"
    assert document["spent_usd"] == 420
    assert document["forecast_usd"] == 930
