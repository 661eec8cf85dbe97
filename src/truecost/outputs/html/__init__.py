"""The HTML report: one self-contained page of charts, each with a table of its exact figures.

``write_report_files`` builds every registered section (see ``registry``) from
the ledger, writes the page and, on request, one PNG per chart.
"""

from truecost.outputs.html.build import ReportFiles, build_sections, render_html, write_report_files
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import Figure, SectionResult, skipped
from truecost.outputs.html.registry import SectionSpec, register_section, registered_sections

__all__ = [
    "Figure",
    "ReportContext",
    "ReportFiles",
    "SectionResult",
    "SectionSpec",
    "build_sections",
    "register_section",
    "registered_sections",
    "render_html",
    "skipped",
    "write_report_files",
]
