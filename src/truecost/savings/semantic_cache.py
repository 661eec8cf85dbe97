"""Semantic cache: calls whose prompt the cache would have answered never reach the provider.

The logged prompts are replayed in time order through ``truecost.cache`` with the default
offline embedding model and the policy calibrated for it (see ``docs/semantic-cache.md``).
A hit skips the call; wrong answers are estimated from the calibrated wrong-hit rate.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from truecost.cache.errors import CacheError
from truecost.cache.policy import CachePolicy
from truecost.cache.replay import MIN_SCALED_SPAN_S, QueryRecord, replay_records
from truecost.savings.base import NotEstimated, Outcome, ReplayContext, unchanged
from truecost.savings.registry import register

# Calibrated for all-MiniLM-L6-v2 int8 on the shuffled BANKING77 replay at a 1% wrong-hit
# target (docs/semantic-cache.md); ASSUMED_WRONG_RATE is what that replay measured on held-out
# orders, rounded up. Another embedding model needs its own calibration.
DEFAULT_POLICY = CachePolicy(threshold=0.80, margin=0.15, ttl_s=24 * 3600.0)
ASSUMED_WRONG_RATE = 0.01
_NO_PROMPT = "no logged prompt text for these calls"


class SemanticCacheSavings:
    """Replay logged prompts through the semantic cache and skip the calls it would answer."""

    name = "semantic_cache"
    title = "Semantic cache"
    needs_texts = True

    def __init__(
        self, policy: CachePolicy = DEFAULT_POLICY, wrong_rate: float = ASSUMED_WRONG_RATE
    ) -> None:
        self.policy = policy
        self.wrong_rate = wrong_rate

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the records unchanged, with the cache hits marked as skipped."""
        if context.texts is None:
            return unchanged(records, "no texts file loaded; the cache replays prompt texts")
        queries, missing = self._queries(records, context)
        if not queries:
            return unchanged(records, _NO_PROMPT)
        try:
            from truecost.cache.embeddings import create_embedder

            result = replay_records(queries, create_embedder(), self.policy, self.wrong_rate)
        except CacheError as exc:
            return unchanged(records, f"semantic cache unavailable: {exc}")
        hits = set(result.hit_ids)
        skipped = pa.array([row_id in hits for row_id in records.column("id").to_pylist()])
        period = "a month" if result.span_s >= MIN_SCALED_SPAN_S else "in the replayed calls"
        return Outcome(
            records=records,
            skipped=skipped,
            assumptions=[
                f"Prompts replayed in time order through the cache (threshold "
                f"{self.policy.threshold:.2f}, margin {self.policy.margin:.2f}, TTL "
                f"{(self.policy.ttl_s or 0) / 3600:g} h), partitioned by feature, model and "
                "system prompt.",
                f"{result.hit_rate:.1%} of {result.queries} replayed calls hit "
                f"({result.exact_hits} exact, {result.semantic_hits} semantic).",
            ],
            risk=(
                f"About {result.expected_wrong_per_month:.1f} wrong answers {period}: "
                f"{self.wrong_rate:.0%} of semantic hits, the rate measured on the "
                "calibration replay; your traffic may differ."
            ),
            not_estimated=missing,
        )

    def _queries(
        self, records: pa.Table, context: ReplayContext
    ) -> tuple[list[QueryRecord], list[NotEstimated]]:
        assert context.texts is not None
        queries: list[QueryRecord] = []
        without_text: dict[str | None, int] = {}
        columns = records.select(["id", "ts", "feature", "model", "cost_usd"]).to_pylist()
        for row in columns:
            text = context.texts.get(row["id"])
            if text is None or not text.prompt:
                without_text[row["feature"]] = without_text.get(row["feature"], 0) + 1
                continue
            queries.append(
                QueryRecord(
                    timestamp=row["ts"],
                    feature=row["feature"] or "",
                    model=row["model"],
                    query=text.prompt,
                    cost_usd=row["cost_usd"] or Decimal(0),
                    system_prompt=text.system or "",
                    response=text.response,
                    id=row["id"],
                )
            )
        missing = [
            NotEstimated(feature, count, _NO_PROMPT) for feature, count in without_text.items()
        ]
        return queries, missing


register(SemanticCacheSavings())
