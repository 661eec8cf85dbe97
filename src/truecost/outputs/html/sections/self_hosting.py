"""Self-hosting: monthly cost against volume for the API and for a GPU deployment.

The chart needs a deployment (GPU price, throughput profile), and today only the
options of ``truecost selfhost`` set one. ``truecost.toml`` has no table for it,
so this section is skipped with a note saying how to get the numbers.
"""

from __future__ import annotations

from truecost.outputs.html.context import ReportContext, analysis_available
from truecost.outputs.html.model import SectionResult, skipped
from truecost.outputs.html.registry import register_section

KEY = "self-hosting"
TITLE = "Self-hosting cost against volume"
ANALYSIS = "truecost.analyses.selfhost_crossover"


@register_section(KEY, TITLE, order=80)
def build(context: ReportContext) -> SectionResult:
    """Skip with a note until a deployment can be configured for the report."""
    if not analysis_available(ANALYSIS):
        return skipped(KEY, TITLE, "the self-hosting analysis is not part of this installation.")
    # NOTE: draw truecost.analyses.selfhost_crossover.cost_curve here once truecost.toml
    # can name a deployment (GPU price, throughput profile); TruecostConfig has no such table.
    return skipped(
        KEY,
        TITLE,
        "no GPU deployment is configured for the report. Run 'truecost selfhost' with a "
        "throughput profile and a GPU price for the crossover with the API.",
    )
