"""Token mix: how each model's tokens split into input, cache reads and writes, output and reasoning."""

from __future__ import annotations

from typing import Any

import altair as alt

from truecost.analyses.spend import spend_report
from truecost.outputs.html.cells import other_label, share_cell, split_top
from truecost.outputs.html.charts import CHART_WIDTH_PX, inline_data
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import Figure, SectionResult, skipped
from truecost.outputs.html.registry import register_section
from truecost.outputs.render import Table, format_count

KEY = "token-mix"
TITLE = "Token mix"
ALL_MODELS = "all models"
MAX_MODELS = 10
BAR_HEIGHT_PX = 26
# The five parts of a request's tokens. They do not overlap: the ledger's
# output_tokens include reasoning_tokens, so "output" here is the rest.
MIX_KINDS = ("input", "cache read", "cache write", "output", "reasoning")


def token_mix(tokens: dict[str, int]) -> dict[str, int]:
    """Split the ledger's token sums into the five non-overlapping parts of ``MIX_KINDS``."""
    return {
        "input": tokens["input_tokens"],
        "cache read": tokens["cache_read_tokens"],
        "cache write": tokens["cache_write_5m_tokens"] + tokens["cache_write_1h_tokens"],
        "output": tokens["output_tokens"] - tokens["reasoning_tokens"],
        "reasoning": tokens["reasoning_tokens"],
    }


@register_section(KEY, TITLE, order=30)
def build(context: ReportContext) -> SectionResult:
    """Chart each model's share of tokens per kind, with all models together on top."""
    report = spend_report(context.con, ["model"], context.selection)
    if not report.requests:
        return skipped(KEY, TITLE, "No records in the selected period.")
    ranked = split_top(report.groups, MAX_MODELS)
    rows: list[tuple[str, dict[str, int]]] = [(ALL_MODELS, token_mix(report.tokens))]
    rows.extend((group.key["model"], token_mix(group.tokens)) for group in ranked.top)
    if ranked.rest:
        rest = {kind: 0 for kind in MIX_KINDS}
        for group in ranked.rest:
            for kind, count in token_mix(group.tokens).items():
                rest[kind] += count
        rows.append((other_label(len(ranked.rest), "model"), rest))
    figure = Figure(
        key=f"{KEY}-by-model",
        title="Share of tokens by kind, per model",
        spec=_chart(rows),
        table=_table(rows),
        caption="Cache writes include the 5-minute and 1-hour kinds; "
        "output excludes reasoning, which is shown on its own.",
    )
    return SectionResult(key=KEY, title=TITLE, figures=[figure])


def _chart(rows: list[tuple[str, dict[str, int]]]) -> dict[str, Any]:
    names = [name for name, _ in rows]
    values = [
        {"model": name, "kind": kind, "rank": MIX_KINDS.index(kind), "tokens": count}
        for name, mix in rows
        for kind, count in mix.items()
        if count
    ]
    chart = (
        alt.Chart(inline_data(values))
        .mark_bar()
        .encode(
            y=alt.Y("model:N", sort=names, title=None),
            x=alt.X(
                "tokens:Q", stack="normalize", title="share of tokens", axis=alt.Axis(format="%")
            ),
            color=alt.Color("kind:N", sort=list(MIX_KINDS), title="token kind"),
            order=alt.Order("rank:Q"),
        )
        .properties(width=CHART_WIDTH_PX - 160, height=BAR_HEIGHT_PX * len(rows))
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _table(rows: list[tuple[str, dict[str, int]]]) -> Table:
    body = []
    for name, mix in rows:
        prompt = mix["input"] + mix["cache read"] + mix["cache write"]
        body.append(
            [
                name,
                *(format_count(mix[kind]) for kind in MIX_KINDS),
                format_count(sum(mix.values())),
                share_cell(mix["cache read"], prompt),
            ]
        )
    columns = ["model", *MIX_KINDS, "total", "prompt read from cache"]
    return Table(columns=columns, rows=body, align_right=frozenset(range(1, len(columns))))
