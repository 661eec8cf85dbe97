"""Render Vega-Lite chart specifications to inline SVG and to PNG with vl-convert.

Charts are drawn here, ahead of time, so the page needs no JavaScript and loads
nothing: each chart is an ``<svg>`` element inside the HTML file.
"""

from __future__ import annotations

import re
from typing import Any

from truecost.errors import ConfigError

# One look for every chart; vl-convert merges it into each specification.
CHART_CONFIG: dict[str, Any] = {
    "font": "Helvetica, Arial, sans-serif",
    "background": "white",
    "view": {"stroke": None},
    "range": {"category": {"scheme": "tableau10"}},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "titleColor": "#444",
        "labelColor": "#444",
        "gridColor": "#e6e6e6",
        "domainColor": "#999",
        "tickColor": "#999",
    },
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
    "title": {"fontSize": 14, "anchor": "start", "color": "#222"},
}
CHART_WIDTH_PX = 640
CHART_HEIGHT_PX = 280
PNG_SCALE = 2

_ID_ATTRIBUTE = re.compile(r'\bid="([^"]+)"')


def usd_axis_format(max_usd: float) -> str:
    """Return a d3 number format for a dollar axis reaching ``max_usd``, with distinct tick labels.

    Two decimals would label the ticks of a $0.04 axis $0.01, $0.01, $0.02...
    """
    if max_usd >= 1000:
        return "$,.0f"
    if max_usd >= 1:
        return "$,.2f"
    return "$,.4~f"


def inline_data(values: list[dict[str, Any]]) -> Any:
    """Wrap chart rows as Vega-Lite inline data, so the specification carries its own values."""
    import altair as alt

    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _vl_convert() -> Any:
    try:
        import vl_convert
    except ImportError:
        raise ConfigError(
            "charts need the vl-convert-python package: pip install 'truecost[report]'"
        ) from None
    return vl_convert


def chart_svg(spec: dict[str, Any], id_prefix: str) -> str:
    """Render ``spec`` to an SVG element whose element ids all start with ``id_prefix``.

    Several charts share one HTML document, and vl-convert numbers clip paths and
    gradients from 1 in every chart, so ids are prefixed to keep them unique.
    """
    svg: str = _vl_convert().vegalite_to_svg(spec, config=CHART_CONFIG)
    return _prefix_ids(svg, id_prefix)


def chart_png(spec: dict[str, Any]) -> bytes:
    """Render ``spec`` to PNG at twice the chart's size, for slides and tickets."""
    png: bytes = _vl_convert().vegalite_to_png(spec, config=CHART_CONFIG, scale=PNG_SCALE)
    return png


def _prefix_ids(svg: str, prefix: str) -> str:
    ids = set(_ID_ATTRIBUTE.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg
