"""The section registry: every chart section of the HTML report registers itself here.

A section is a function that takes a ``ReportContext`` and returns a
``SectionResult``. Built-in sections live one per module in
``truecost.outputs.html.sections`` and register with ``@register_section``.
Every module of that package is imported on first use, so adding a section
means adding a module. Sections appear on the page in ascending ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from truecost.errors import ConfigError
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import SectionResult

# Packages the built-in sections draw with; missing ones are a setup problem, not a bug.
CHART_PACKAGES = ("altair", "vl_convert")

SectionBuilder = Callable[[ReportContext], SectionResult]


@dataclass(frozen=True)
class SectionSpec:
    """A registered section: its key (an HTML id and a file-name prefix), title, place and builder."""

    key: str
    title: str
    order: int
    build: SectionBuilder


_SECTIONS: dict[str, SectionSpec] = {}


def register_section(
    key: str, title: str, order: int
) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register the decorated function as the builder of section ``key``."""

    def decorate(build: SectionBuilder) -> SectionBuilder:
        if key in _SECTIONS and _SECTIONS[key].build is not build:
            raise ValueError(f"HTML report section '{key}' is registered twice")
        _SECTIONS[key] = SectionSpec(key=key, title=title, order=order, build=build)
        return build

    return decorate


def _load_builtin_sections() -> None:
    import truecost.outputs.html.sections as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"{package.__name__}.{info.name}")
        except ModuleNotFoundError as exc:
            if exc.name not in CHART_PACKAGES:
                raise
            raise ConfigError(
                f"the HTML report needs the {exc.name} package: pip install 'truecost[report]'"
            ) from None


def registered_sections() -> list[SectionSpec]:
    """Return every section, built-in ones included, in page order."""
    _load_builtin_sections()
    return sorted(_SECTIONS.values(), key=lambda spec: (spec.order, spec.key))
