"""The HTML report: exact table figures, a page that loads nothing remote, PNGs, sections."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from html_report_sample import MARKUP_FEATURE, fill_sample_ledger, parse_report
from truecost.analyses.spend import Selection, spend_report
from truecost.cli.main import main
from truecost.ledger import Ledger
from truecost.outputs.html import (
    Figure,
    ReportContext,
    SectionResult,
    build_sections,
    register_section,
    registered_sections,
    write_report_files,
)
from truecost.outputs.html import registry as section_registry
from truecost.outputs.html.cells import split_top, usd_cell
from truecost.outputs.html.charts import chart_svg
from truecost.outputs.html.sections.spend_over_time import choose_period
from truecost.outputs.render import Table
from truecost.pricing import PriceCatalog

CHART_KEYS = {
    "spend-over-time-by-feature",
    "spend-over-time-by-model",
    "token-mix-by-model",
    "top-spenders-by-model",
    "top-spenders-by-feature",
    "month-end-forecast",
    "savings-waterfall",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# XML namespace names identify SVG and XLink; a browser never fetches them.
NAMESPACE_URLS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture
def sample_ledger(ledger: Ledger, catalog: PriceCatalog) -> Ledger:
    fill_sample_ledger(ledger, catalog)
    return ledger


@pytest.fixture
def page(sample_ledger: Ledger, tmp_path: Path) -> str:
    path = tmp_path / "report.html"
    write_report_files(sample_ledger.con, Selection(), None, path, None)
    return path.read_text(encoding="utf-8")


def test_feature_table_equals_analysis(page: str, sample_ledger: Ledger) -> None:
    rows = parse_report(page).tables["top-spenders-by-feature"]
    report = spend_report(sample_ledger.con, ["feature"], Selection())
    by_name = {row[0]: row for row in rows[1:]}
    for group in report.groups:
        assert by_name[group.key["feature"]][2] == usd_cell(group.usd)
        assert by_name[group.key["feature"]][1] == str(group.requests)
    # 10 × $0.0105 + 5 cache-read days × $0.003; 10 × $0.015; one $0.0105 call.
    assert by_name["chat"][2] == "$0.120000"
    assert by_name["search"][2] == "$0.150000"
    assert by_name[MARKUP_FEATURE][2] == "$0.010500"
    assert by_name["total"][2] == "$0.280500"
    assert by_name["chat"][3] == "42.8%"


def test_daily_table_equals_analysis(page: str, sample_ledger: Ledger) -> None:
    rows = parse_report(page).tables["spend-over-time-by-feature"]
    header = rows[0]
    cells = {(row[0], name): row[i] for row in rows[1:] for i, name in enumerate(header)}
    report = spend_report(sample_ledger.con, ["day", "feature"], Selection())
    for group in report.groups:
        assert cells[(group.key["day"], group.key["feature"])] == usd_cell(group.usd)
    assert header == ["day", "search", "chat", MARKUP_FEATURE, "total"]
    assert cells[("2026-03-01", "chat")] == "$0.013500"
    assert cells[("2026-03-02", "chat")] == "$0.010500"
    assert cells[("2026-03-02", MARKUP_FEATURE)] == "-"
    assert cells[("2026-03-01", "total")] == "$0.039000"
    assert cells[("total", "total")] == "$0.280500"
    assert len(rows) == 1 + 10 + 1


def test_unpriced_model_reads_unpriced(page: str) -> None:
    rows = parse_report(page).tables["spend-over-time-by-model"]
    column = rows[0].index("acme-mini")
    cells = {row[0]: row[column] for row in rows[1:]}
    assert cells["2026-03-02"] == "unpriced"
    assert cells["2026-03-01"] == "-"
    assert cells["total"] == "unpriced"


def test_token_mix_figures(page: str) -> None:
    rows = parse_report(page).tables["token-mix-by-model"]
    assert rows[0] == [
        "model",
        "input",
        "cache read",
        "cache write",
        "output",
        "reasoning",
        "total",
        "prompt read from cache",
    ]
    # Output excludes the 10 reasoning tokens of the unpriced call.
    assert rows[1] == ["all models", "31,100", "50,000", "0", "15,530", "10", "96,640", "61.7%"]
    assert rows[3] == [
        "claude-sonnet-4-20250514",
        "11,000",
        "50,000",
        "0",
        "5,500",
        "0",
        "66,500",
        "82.0%",
    ]


def test_summary_facts_and_notes(page: str) -> None:
    assert "<dt>total spend</dt><dd>$0.28</dd>" in page
    assert "<dt>requests</dt><dd>22</dd>" in page
    notes = parse_report(page).notes["summary"]
    assert notes == [
        "Left out of every dollar figure: 1 request with no known price (acme/acme-mini). "
        "Add their prices with a --prices file."
    ]


def test_page_fetches_nothing_remote(page: str) -> None:
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= NAMESPACE_URLS
    for url in urls:
        assert page.count(url) == page.count(f'="{url}"')
    assert not re.search(r"\b(?:src|href|action|poster)\s*=\s*[\"']?\s*(?:https?:)?//", page)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", page)
    assert "@import" not in page
    assert "<script" not in page
    assert "<link" not in page


def test_markup_in_names_is_escaped(page: str) -> None:
    assert "<b>beta</b>" not in page
    assert "&lt;b&gt;beta&lt;/b&gt; &amp; co" in page


def test_element_ids_are_unique(page: str) -> None:
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert ids
    assert [name for name, count in ids.items() if count > 1] == []


def test_chart_svg_prefixes_ids() -> None:
    spec = {
        "data": {"values": [{"a": 1, "b": 2}, {"a": 3, "b": 5}]},
        "mark": {"type": "line", "clip": True},
        "encoding": {
            "x": {"field": "a", "type": "quantitative", "scale": {"domain": [0, 2]}},
            "y": {"field": "b", "type": "quantitative"},
        },
    }
    svg = chart_svg(spec, id_prefix="first")
    assert 'id="first-clip1"' in svg
    assert "url(#first-clip1)" in svg
    assert 'id="clip1"' not in svg


def test_cli_writes_html_and_pngs(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = sample_ledger.path
    sample_ledger.close()
    html_path = tmp_path / "report.html"
    png_dir = tmp_path / "charts" / "new"
    status = main(
        ["report", "--ledger", str(path), "--html", str(html_path), "--png", str(png_dir)]
    )
    assert status == 0
    charts = set(parse_report(html_path.read_text(encoding="utf-8")).tables)
    assert charts == CHART_KEYS
    pngs = sorted(png_dir.iterdir())
    assert {p.name for p in pngs} == {f"{key}.png" for key in CHART_KEYS}
    for png in pngs:
        assert png.read_bytes().startswith(PNG_SIGNATURE)


def test_cli_png_alone(sample_ledger: Ledger, tmp_path: Path) -> None:
    path = sample_ledger.path
    sample_ledger.close()
    status = main(["report", "--ledger", str(path), "--png", str(tmp_path / "png")])
    assert status == 0
    assert len(list((tmp_path / "png").iterdir())) == len(CHART_KEYS)
    assert list(tmp_path.glob("*.html")) == []


def test_cli_png_into_file_exits_2(
    sample_ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sample_ledger.path
    sample_ledger.close()
    target = tmp_path / "taken"
    target.write_text("not a folder")
    assert main(["report", "--ledger", str(path), "--png", str(target)]) == 2
    assert "taken" in capsys.readouterr().err


def test_cli_html_into_missing_folder(sample_ledger: Ledger, tmp_path: Path) -> None:
    # The folder is made, as --png makes its own.
    path = sample_ledger.path
    sample_ledger.close()
    target = tmp_path / "missing" / "report.html"
    assert main(["report", "--ledger", str(path), "--html", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_html_under_a_file_exits_2(
    sample_ledger: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sample_ledger.path
    sample_ledger.close()
    (tmp_path / "taken").write_text("not a folder")
    target = tmp_path / "taken" / "report.html"
    assert main(["report", "--ledger", str(path), "--html", str(target)]) == 2
    assert f"{target}: cannot write the report" in capsys.readouterr().err


def test_empty_selection_skips_sections(sample_ledger: Ledger, tmp_path: Path) -> None:
    html_path = tmp_path / "report.html"
    since = datetime(2030, 1, 1, tzinfo=UTC)
    files = write_report_files(
        sample_ledger.con, Selection(since=since), None, html_path, tmp_path / "png"
    )
    parsed = parse_report(html_path.read_text(encoding="utf-8"))
    assert files.figures == []
    assert files.png_paths == []
    assert {"summary", "spend-over-time", "token-mix", "top-spenders"} <= parsed.skipped
    assert parsed.notes["token-mix"] == ["Not shown: No records in the selected period."]


def test_where_filter_narrows_tables(sample_ledger: Ledger, tmp_path: Path) -> None:
    html_path = tmp_path / "report.html"
    selection = Selection(filters=(("feature", "chat"),))
    write_report_files(sample_ledger.con, selection, None, html_path, None)
    page = html_path.read_text(encoding="utf-8")
    rows = parse_report(page).tables["top-spenders-by-feature"]
    assert rows[1:] == [
        ["chat", "10", "$0.120000", "100.0%", "$0.012000"],
        ["total", "10", "$0.120000", "", ""],
    ]
    assert "all records, feature=chat" in page


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (timedelta(days=62), "day"),
        (timedelta(days=62, microseconds=1), "week"),
        (timedelta(days=366), "week"),
        (timedelta(days=366, microseconds=1), "month"),
    ],
)
def test_choose_period_boundaries(span: timedelta, expected: str) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert choose_period(start, start + span) == expected


def test_split_top_keeps_lone_rest() -> None:
    assert split_top(list(range(9)), 8).rest == []
    assert split_top(list(range(10)), 8).rest == [8, 9]
    assert split_top(list(range(10)), 8).top == list(range(8))


def test_registered_section_joins_page(
    sample_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered_sections()
    monkeypatch.setattr(section_registry, "_SECTIONS", dict(section_registry._SECTIONS))

    @register_section("extra", "Extra analysis", order=25)
    def build_extra(context: ReportContext) -> SectionResult:
        table = Table(columns=["name", "usd"], rows=[["x", "$1.000000"]])
        spec = {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {}}
        figure = Figure(key="extra-points", title="Points", spec=spec, table=table)
        return SectionResult(key="extra", title="Extra analysis", figures=[figure])

    context = ReportContext(
        con=sample_ledger.con, selection=Selection(), generated_at=datetime.now(UTC)
    )
    keys = [section.key for section in build_sections(context)]
    assert keys.index("spend-over-time") < keys.index("extra") < keys.index("token-mix")
    html_path = tmp_path / "report.html"
    write_report_files(sample_ledger.con, Selection(), None, html_path, None)
    assert parse_report(html_path.read_text(encoding="utf-8")).tables["extra-points"] == [
        ["name", "usd"],
        ["x", "$1.000000"],
    ]
