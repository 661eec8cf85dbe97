"""``truecost plan``: the cost of a feature before launch, from a scenario file or a template."""

from __future__ import annotations

from pathlib import Path

import click

from truecost.analyses.plan import plan
from truecost.analyses.plan_scenario import Scenario, load_scenario
from truecost.analyses.plan_templates import list_templates, load_template, template_path
from truecost.cli._config import config_option
from truecost.cli.common import format_option, load_catalog, prices_option
from truecost.config import load_config_or_default
from truecost.errors import InputError
from truecost.outputs.plan import render_plan, render_template_list


def _scenario(scenario_path: Path | None, template: str | None) -> tuple[Scenario, str]:
    if scenario_path is not None and template is not None:
        raise InputError("give either a SCENARIO file or --template NAME, not both.")
    if template is not None:
        return load_template(template), str(template_path(template))
    if scenario_path is None:
        raise InputError(
            "missing scenario: give a SCENARIO.toml file or --template NAME "
            "(see truecost plan --list-templates)."
        )
    return load_scenario(scenario_path), str(scenario_path)


@click.command("plan")
@click.argument("scenario_path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--template", help="Plan a built-in scenario (see --list-templates).")
@click.option(
    "--list-templates",
    "list_templates_flag",
    is_flag=True,
    help="List the built-in scenarios and exit.",
)
@config_option
@prices_option
@format_option("table", "json", "csv", "markdown")
def command(
    scenario_path: Path | None,
    template: str | None,
    list_templates_flag: bool,
    config_path: Path | None,
    price_files: tuple[Path, ...],
    output_format: str,
) -> None:
    """Cost of a feature before launch: token math per request, P10/P50/P90 per day and month."""
    if list_templates_flag:
        click.echo(render_template_list(list_templates(), output_format))
        return
    scenario, source = _scenario(scenario_path, template)
    config = load_config_or_default(config_path)
    result = plan(scenario, load_catalog(price_files), config.coststack, config.scale, source)
    click.echo(render_plan(result, output_format))
