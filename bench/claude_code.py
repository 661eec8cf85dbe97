"""Time ``ClaudeCodeImporter.read_bulk`` on a generated Claude Code log tree.

Make the tree first (it is not committed)::

    python3 /work/shared/tools/gen_claude_logs.py --out /tmp/cc1g --size-mb 1000 --seed 2
    .venv/bin/python bench/claude_code.py /tmp/cc1g --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from truecost.importers import ImportContext, get_importer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="folder containing projects/<project>/*.jsonl")
    parser.add_argument("--runs", type=int, default=5, help="number of timed runs")
    args = parser.parse_args()
    importer = get_importer("claude-code")
    seconds: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = importer.read_bulk([args.tree], ImportContext())
        seconds.append(time.perf_counter() - start)
        assert result is not None
    size_mb = sum(p.stat().st_size for p in args.tree.rglob("*.jsonl")) / 1e6
    print(f"tree: {args.tree} ({size_mb:.1f} MB, {result.files} files, {result.lines_read} lines)")
    print(f"requests: {result.table.num_rows}, skipped lines: {result.issue_count}")
    print(f"read_bulk seconds: min {min(seconds):.2f}, median {statistics.median(seconds):.2f}")


if __name__ == "__main__":
    main()
