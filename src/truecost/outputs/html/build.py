"""Build the HTML report and the PNG charts from a ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from truecost.analyses.spend import Selection
from truecost.errors import InputError
from truecost.outputs.html.charts import chart_png, chart_svg
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import Figure, SectionResult
from truecost.outputs.html.page import render_page
from truecost.outputs.html.registry import registered_sections
from truecost.pricing import PriceCatalog


@dataclass
class ReportFiles:
    """The sections ``write_report_files`` built and the files it wrote."""

    sections: list[SectionResult]
    html_path: Path | None = None
    png_paths: list[Path] = field(default_factory=list)

    @property
    def figures(self) -> list[Figure]:
        """Every figure of every section, in page order."""
        return [figure for section in self.sections for figure in section.figures]

    def summary(self) -> str:
        """Return one line naming the files written, for the terminal."""
        count = len(self.figures)
        written = []
        if self.html_path is not None:
            written.append(f"{self.html_path} ({count} chart{'' if count == 1 else 's'})")
        if self.png_paths:
            written.append(f"{len(self.png_paths)} PNG files in {self.png_paths[0].parent}")
        return "wrote " + " and ".join(written) if written else "wrote no files"


def build_sections(context: ReportContext) -> list[SectionResult]:
    """Run every registered section against ``context``, in page order."""
    return [spec.build(context) for spec in registered_sections()]


def render_html(sections: list[SectionResult], context: ReportContext) -> str:
    """Render the sections into the self-contained HTML document."""
    return render_page(
        sections,
        context.selection,
        context.generated_at,
        lambda figure: chart_svg(figure.spec, id_prefix=figure.key),
    )


def write_report_files(
    con: duckdb.DuckDBPyConnection,
    selection: Selection,
    as_of: datetime | None,
    html_path: Path | None,
    png_dir: Path | None,
    config_path: Path | None = None,
    catalog: PriceCatalog | None = None,
) -> ReportFiles:
    """Write the HTML report to ``html_path`` and one PNG per chart into ``png_dir`` (each optional)."""
    context = ReportContext(
        con=con,
        selection=selection,
        generated_at=datetime.now(UTC),
        as_of=as_of,
        config_path=config_path,
        catalog=catalog,
    )
    files = ReportFiles(sections=build_sections(context))
    if html_path is not None:
        _write(html_path, render_html(files.sections, context).encode("utf-8"))
        files.html_path = html_path
    if png_dir is not None:
        files.png_paths = write_pngs(files.figures, png_dir)
    return files


def write_pngs(figures: list[Figure], png_dir: Path) -> list[Path]:
    """Write ``<figure key>.png`` for each figure into ``png_dir``, creating it if needed."""
    if png_dir.exists() and not png_dir.is_dir():
        raise InputError(f"--png {png_dir}: this is a file; give a folder for the chart images.")
    try:
        png_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--png {png_dir}: cannot create the folder ({exc.strerror}).") from None
    paths = []
    for figure in figures:
        path = png_dir / f"{figure.key}.png"
        _write(path, chart_png(figure.spec))
        paths.append(path)
    return paths


def _write(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write the report ({exc.strerror}); check that you may write there."
        ) from None
