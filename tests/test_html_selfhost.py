"""The self-hosting section of the HTML report: drawn from the [selfhost] deployment, else skipped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from html_report_sample import fill_sample_ledger, parse_report
from truecost.analyses.selfhost_config import selfhost_request
from truecost.analyses.selfhost_crossover import CostCurvePoint
from truecost.analyses.selfhost_report import SelfHostReport, build_report, report_cost_curve
from truecost.analyses.selfhost_traffic import TrafficFilter
from truecost.analyses.spend import Selection
from truecost.cli.main import main
from truecost.config import load_config
from truecost.errors import ConfigError
from truecost.ledger import Ledger
from truecost.outputs.html import ReportContext, write_report_files
from truecost.outputs.html.cells import usd_cell
from truecost.outputs.html.sections.self_hosting import build, rate_cell
from truecost.pricing import PriceCatalog

FIGURE = "self-hosting-crossover"
DEPLOYMENT_TOML = """
[selfhost]
capacity_rpm = 0.5
gpu_usd_per_month = 40
engineering_hours_per_month = 1
engineering_usd_per_hour = 10
overhead_percent = "30-50"
peak_to_average = 2
"""


@pytest.fixture
def sample_ledger(ledger: Ledger, catalog: PriceCatalog) -> Ledger:
    fill_sample_ledger(ledger, catalog)
    return ledger


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep a developer's own truecost.toml or $TRUECOST_CONFIG out of these tests."""
    monkeypatch.delenv("TRUECOST_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def config_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "truecost.toml"
    path.write_text(body, encoding="utf-8")
    return path


def write_page(ledger: Ledger, tmp_path: Path, config_path: Path, selection: Selection) -> str:
    html_path = tmp_path / "report.html"
    write_report_files(ledger.con, selection, None, html_path, None, config_path)
    return html_path.read_text(encoding="utf-8")


def expected_curve(
    ledger: Ledger, config_path: Path
) -> tuple[SelfHostReport, list[CostCurvePoint]]:
    config = load_config(config_path).selfhost
    assert config is not None
    request = replace(selfhost_request(config), traffic_filter=TrafficFilter())
    report = build_report(request, ledger.con)
    return report, report_cost_curve(report)


def test_table_equals_cost_curve(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = config_file(tmp_path, DEPLOYMENT_TOML)
    rows = parse_report(write_page(sample_ledger, tmp_path, path, Selection())).tables[FIGURE]
    report, points = expected_curve(sample_ledger, path)
    crossover = report.crossovers[0]
    assert crossover is not None
    assert rows[0][3:5] == ["API per month", "self-hosting per month"]
    assert len(rows) == len(points) + 1
    for row, point in zip(rows[1:], points, strict=True):
        assert row[0] == rate_cell(point.peak_requests_per_minute)
        assert row[3] == usd_cell(point.api_usd_per_month)
        assert row[4] == usd_cell(point.selfhost_usd_per_month)
        assert row[5] == str(point.replicas)
    marked = [row for row in rows if row[6] == "crossover"]
    assert [row[0] for row in marked] == [rate_cell(crossover.peak_requests_per_minute)]
    assert marked[0][4] == usd_cell(crossover.monthly_usd)


def test_chart_draws_cost_curve(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = config_file(tmp_path, DEPLOYMENT_TOML)
    context = ReportContext(
        con=sample_ledger.con,
        selection=Selection(),
        generated_at=datetime(2026, 3, 20, tzinfo=UTC),
        config_path=path,
    )
    section = build(context)
    assert section.skipped is None
    report, points = expected_curve(sample_ledger, path)
    layers: list[dict[str, Any]] = section.figures[0].spec["layer"]
    lines = layers[0]["data"]["values"]
    assert lines == [
        {"rpm": float(p.peak_requests_per_minute), "usd": float(usd), "line": line}
        for p in points
        for usd, line in ((p.api_usd_per_month, "API"), (p.selfhost_usd_per_month, "self-hosting"))
    ]
    crossover = report.crossovers[0]
    assert crossover is not None
    assert layers[2]["data"]["values"] == [
        {
            "rpm": float(crossover.peak_requests_per_minute),
            "usd": float(crossover.monthly_usd),
            "label": "crossover",
        }
    ]


def test_skipped_without_deployment(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = config_file(tmp_path, "[selfhost]\ncapacity_rpm = 10\n")
    parsed = parse_report(write_page(sample_ledger, tmp_path, path, Selection()))
    assert "self-hosting" in parsed.skipped
    assert FIGURE not in parsed.tables


def test_skipped_for_model_filter(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = config_file(tmp_path, DEPLOYMENT_TOML)
    selection = Selection(filters=(("model", "gpt-4o-2024-08-06"),))
    parsed = parse_report(write_page(sample_ledger, tmp_path, path, selection))
    assert "self-hosting" in parsed.skipped


def test_feature_filter_narrows_traffic(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = config_file(tmp_path, DEPLOYMENT_TOML)
    selection = Selection(filters=(("feature", "chat"),))
    rows = parse_report(write_page(sample_ledger, tmp_path, path, selection)).tables[FIGURE]
    all_rows = parse_report(write_page(sample_ledger, tmp_path, path, Selection())).tables[FIGURE]
    assert rows != all_rows


def test_unknown_profile_is_config_error(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = config_file(tmp_path, '[selfhost]\nprofile = "llama-3.1-8b"\ngpu_usd_per_hour = 2\n')
    with pytest.raises(ConfigError, match=r"unknown throughput profile 'llama-3\.1-8b'"):
        write_page(sample_ledger, tmp_path, path, Selection())


def test_report_command_reads_config_option(
    sample_ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text(DEPLOYMENT_TOML, encoding="utf-8")
    html_path = tmp_path / "report.html"
    ledger_path = str(sample_ledger.path)
    sample_ledger.close()
    args = ["report", "--ledger", ledger_path, "--html", str(html_path)]
    assert main([*args, "--config", str(path)]) == 0
    assert FIGURE in parse_report(html_path.read_text(encoding="utf-8")).tables
    assert main(args) == 0
    assert "self-hosting" in parse_report(html_path.read_text(encoding="utf-8")).skipped
    assert main([*args, "--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: configuration file not found" in capsys.readouterr().err
