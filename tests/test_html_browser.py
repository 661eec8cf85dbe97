"""The HTML report in a real browser: headless Chromium loads it, draws every chart, logs no error."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from browser_devtools import Browser, find_chromium
from html_report_sample import fill_sample_ledger
from truecost.analyses.spend import Selection
from truecost.ledger import Ledger
from truecost.outputs.html import write_report_files
from truecost.pricing import PriceCatalog

ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORT_WIDTH_PX = 1100
LOCAL_SCHEMES = ("file:", "data:", "about:")

# For each figure: the drawn size of its SVG, how many of its marks have an area
# (bars, lines, points), and how many rows its table has.
CHART_STATE_JS = """
Array.from(document.querySelectorAll('figure[data-chart]')).map((figure) => {
  const svg = figure.querySelector('.chart svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const marks = svg ? Array.from(svg.querySelectorAll('.role-mark > *')) : [];
  const drawn = marks.filter((mark) => {
    const size = mark.getBBox();
    return size.width > 0 || size.height > 0;
  });
  return {
    key: figure.dataset.chart,
    width: box.width,
    height: box.height,
    marks: drawn.length,
    rows: figure.querySelectorAll('table tbody tr').length,
  };
})
"""


@pytest.fixture
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must provide it")
        pytest.skip(message)
    return path


def console_errors(events: list[dict[str, Any]]) -> list[str]:
    """Return the console errors, uncaught exceptions and browser log errors among ``events``."""
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            errors.append(f"console.{params['type']}: {params['args']}")
        elif method == "Runtime.exceptionThrown":
            errors.append(f"exception: {params['exceptionDetails']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
    return errors


def requested_urls(events: list[dict[str, Any]]) -> list[str]:
    """Return the URL of every request the page made."""
    return [
        event["params"]["request"]["url"]
        for event in events
        if event.get("method") == "Network.requestWillBeSent"
    ]


@pytest.mark.browser
def test_report_renders_in_chromium(
    chromium: str, ledger: Ledger, catalog: PriceCatalog, tmp_path: Path
) -> None:
    fill_sample_ledger(ledger, catalog)
    html_path = tmp_path / "report.html"
    files = write_report_files(ledger.con, Selection(), None, html_path, None)
    ARTIFACTS.mkdir(exist_ok=True)

    with Browser(chromium, tmp_path / "profile") as browser:
        for domain in ("Runtime", "Log", "Page", "Network"):
            browser.call(f"{domain}.enable")
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=VIEWPORT_WIDTH_PX,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.call("Page.navigate", url=html_path.as_uri())
        browser.wait_for_event("Page.loadEventFired")
        charts = browser.evaluate(CHART_STATE_JS)
        size = browser.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": VIEWPORT_WIDTH_PX, "height": size["height"], "scale": 1}
        shot = browser.call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip
        )
        (ARTIFACTS / "html_report.png").write_bytes(base64.b64decode(shot["data"]))
        browser.call("Emulation.setEmulatedMedia", media="print")
        nav_display = browser.evaluate("getComputedStyle(document.querySelector('nav')).display")
        pdf = browser.call("Page.printToPDF", printBackground=True)
        (ARTIFACTS / "html_report.pdf").write_bytes(base64.b64decode(pdf["data"]))
        events = list(browser.events)

    assert console_errors(events) == []
    assert [url for url in requested_urls(events) if not url.startswith(LOCAL_SCHEMES)] == []
    assert [chart["key"] for chart in charts] == [figure.key for figure in files.figures]
    for chart in charts:
        assert chart["width"] > 300, chart
        assert chart["height"] > 100, chart
        assert chart["marks"] > 0, chart
        assert chart["rows"] > 0, chart
    assert nav_display == "none"
    assert (ARTIFACTS / "html_report.pdf").read_bytes().startswith(b"%PDF")
