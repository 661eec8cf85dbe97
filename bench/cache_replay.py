"""Measure the semantic cache per embedding backend on the banking77 and QQP replays.

For each backend and data set: calibrate on the replay with seed 0 (the pair curve, fixed
thresholds, threshold plus margin, learned per-entry thresholds), then replay the chosen
policies with seeds 1 to 3 to show how they hold on orders they were not chosen on.

    .venv/bin/python bench/cache_replay.py [--qqp PATH] [--banking77 PATH] [--backends a,b]

The QQP pairs are read from outside the repository (research-use licence) and never copied.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from truecost.cache.calibrate import (
    PrecomputedEmbedder,
    ReplayScore,
    best_within,
    calibrate,
    replay,
)
from truecost.cache.embeddings import create_embedder
from truecost.cache.labeled import LabeledTexts, load_labeled

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT_SEEDS = (1, 2, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--banking77", type=Path, default=ROOT.parent / "shared/data/banking77/train.csv"
    )
    parser.add_argument(
        "--qqp",
        type=Path,
        default=ROOT.parent / "shared/data/qqp-pairs/qqp_duplicate_pairs_first5000.jsonl",
    )
    parser.add_argument("--backends", default="minilm-onnx,sentence-transformers")
    args = parser.parse_args()
    sets = {
        "banking77 replay": load_labeled(args.banking77),
        "qqp-pairs replay": load_labeled(args.qqp),
    }
    print(
        "| backend | data | texts | target | policy | threshold | margin | hit rate (seed 0) "
        "| wrong hits (seed 0) | hit rate (seeds 1-3) | wrong hits (seeds 1-3) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for backend in args.backends.split(","):
        source = create_embedder(backend)
        for name, data in sets.items():
            started = time.perf_counter()
            embedder = PrecomputedEmbedder.build(source, data.texts)
            embed_s = time.perf_counter() - started
            result = calibrate(data, embedder, 0.01)
            for target in (0.01, 0.05):
                for kind, scores in (
                    ("fixed", result.fixed),
                    ("margin", result.margin),
                    ("learned", result.learned),
                ):
                    best = best_within(scores, target)
                    print(_row(source.id, name, data, target, kind, best, embedder), flush=True)
            print(
                f"<!-- {source.id} {name}: embedded {len(data.texts)} texts in {embed_s:.1f} s;"
                f" pair-curve threshold at 1%: {result.pair_threshold} -->",
                flush=True,
            )


def _row(
    backend: str,
    name: str,
    data: LabeledTexts,
    target: float,
    kind: str,
    best: ReplayScore | None,
    embedder: PrecomputedEmbedder,
) -> str:
    if best is None:
        return (
            f"| {backend} | {name} | {len(data.texts)} | {target:.0%} | {kind} | none | | | | | |"
        )
    held = [replay(data, embedder, best.policy, seed) for seed in HELD_OUT_SEEDS]
    hits = sum(s.hits for s in held)
    wrong = sum(s.wrong_hits for s in held)
    queries = sum(s.queries for s in held)
    return (
        f"| {backend} | {name} | {len(data.texts)} | {target:.0%} | {kind} "
        f"| {best.policy.threshold:.2f} | {best.policy.margin:.2f} | {best.hit_rate:.1%} "
        f"| {best.wrong_rate:.2%} | {hits / queries:.1%} | {wrong / max(hits, 1):.2%} |"
    )


if __name__ == "__main__":
    main()
