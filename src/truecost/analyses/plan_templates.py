"""Built-in scenarios for ``truecost plan --template NAME``, stored as ``data/templates/*.toml``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from truecost.analyses.plan_scenario import Scenario, load_scenario
from truecost.errors import InputError


def templates_dir() -> Path:
    """Return the folder of the shipped scenario templates."""
    return Path(str(files("truecost") / "data" / "templates"))


def template_names() -> list[str]:
    """Return the names of the shipped templates, sorted."""
    return sorted(path.stem for path in templates_dir().glob("*.toml"))


def template_path(name: str) -> Path:
    """Return the file of template ``name``, raising ``InputError`` that lists the valid names."""
    path = templates_dir() / f"{name}.toml"
    if name not in template_names():
        raise InputError(
            f"unknown template '{name}'. Use one of: {', '.join(template_names())} "
            "(see truecost plan --list-templates)."
        )
    return path


def load_template(name: str) -> Scenario:
    """Load a shipped template as a scenario."""
    return load_scenario(template_path(name))


def list_templates() -> list[Scenario]:
    """Load every shipped template, in name order."""
    return [load_template(name) for name in template_names()]
