"""Savings: replay the ledger's traffic under each optimization and price the difference.

Every optimization is a plug-in registered by name in ``truecost.savings.registry``,
the built-in ones the same way a third party would register its own::

    from truecost.savings import Outcome, ReplayContext, register

    class SemanticCache:
        name = "semantic_cache"          # registry key and CLI name
        title = "Semantic cache"         # shown in reports
        needs_texts = True               # skipped, with the reason, when no texts are loaded

        def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
            ...

    register(SemanticCache())

``apply`` receives the records as an Arrow table with the columns of
``truecost.record.ARROW_SCHEMA`` plus ``cost_usd`` (decimal128, the priced cost of
each row as it stands before this optimization; NULL rows are unpriced and never
reach a plug-in). When optimizations run in sequence, the table is the output of the
previous one, so a plug-in must read the counts it is given, not the ledger.

It returns an ``Outcome``:

- ``records``: the counterfactual rows, same number and order as the input, with
  token counts, ``model``, ``provider`` or ``batch`` changed where the optimization
  applies. The framework prices changed rows with ``truecost.pricing`` (so a plug-in
  never computes a price itself) and keeps the input cost of unchanged rows.
- ``skipped``: optional boolean array; True marks calls that would not reach the
  provider at all (a semantic-cache hit). Their token cost becomes zero.
- ``extra_usd``: optional decimal array of costs the token prices do not cover
  (cache storage, embedding calls), added per row.
- ``assumptions``, ``risk`` and ``not_estimated``: what the estimate rests on, what
  could go wrong, and which features or records it could not judge and why. A plug-in
  that cannot estimate anything returns the input records unchanged with a reason.

``context.texts`` maps record ids to logged system prompt, prompt and response texts
(``truecost.savings.texts.TextStore``), or is None; ``context.config`` is the
``[savings]`` configuration; ``context.catalog`` the price catalog (to check that a
model exists, never to price a row); ``context.classifier`` the routing classifier
trained on ``config.routing_labels``, or None.

A plug-in raises ``truecost.errors.TruecostError`` for bad user input (a file it cannot
read, a value it cannot use). The replay then applies it feature by feature and reports
each feature that still fails as not estimated, with the error's message. Any other
exception is treated as a bug and propagates.

``run_savings`` replays the ledger (each optimization alone, then all of them in
sequence without double counting) and ``waterfall_rows`` turns its report into the
rows of a waterfall chart.
"""

from truecost.savings.base import NotEstimated, Optimization, Outcome, ReplayContext
from truecost.savings.registry import get_optimization, optimization_names, register

__all__ = [
    "NotEstimated",
    "Optimization",
    "Outcome",
    "ReplayContext",
    "get_optimization",
    "optimization_names",
    "register",
]
