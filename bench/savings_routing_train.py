"""Evaluate the trained difficulty classifier against the rule-based one on RouteLLM data.

Run: .venv/bin/python bench/savings_routing_train.py [DIRECTORY]
DIRECTORY holds RouteLLM response CSVs (prompt and per-model correctness columns);
the default is the slice under tests/data/routellm. Every item is routed by a
classifier trained on the other folds (5 interleaved folds), so the figures are
held-out. Prices come from the bundled catalog on 2024-06-01.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from truecost.pricing import PriceCatalog
from truecost.savings.routing_eval import evaluate_trained, load_routellm

WEAK = ("mistral", "mixtral-8x7b")
STRONG = ("openai", "gpt-4-1106-preview")
WHEN = datetime(2024, 6, 1, tzinfo=UTC)
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "tests" / "data" / "routellm"


def main() -> int:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY
    began = time.perf_counter()
    items = load_routellm(directory)
    results = evaluate_trained(items, PriceCatalog(), WEAK, STRONG, WHEN)
    print(f"items: {len(items):,} from {directory}")
    print("| router | cost USD | accuracy | share to weak |")
    print("|---|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.name} | {result.cost_usd:.4f} | {result.accuracy:.2%} "
            f"| {result.weak_share:.1%} |"
        )
    print(f"seconds: {time.perf_counter() - began:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
