"""Time `truecost report DIR` end to end on a generated Claude Code log tree.

The bar is ccusage's daily report on the same tree, 2.6 s on this kind of machine.
Make the tree first (about 1 GB, 221,073 requests over 90 days; it is not committed)::

    python3 ../shared/tools/gen_claude_logs.py --out /tmp/cc1g --size-mb 1000 --seed 2
    .venv/bin/python bench/report_claude_tree.py /tmp/cc1g --runs 5

Each run is a fresh process, so Python start-up and imports are included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="folder containing projects/<project>/*.jsonl")
    parser.add_argument("--runs", type=int, default=5, help="number of timed runs")
    args = parser.parse_args()
    command = [str(Path(sys.executable).with_name("truecost")), "report", str(args.tree)]
    seconds: list[float] = []
    output = ""
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        seconds.append(time.perf_counter() - start)
        output = done.stdout
    print(" ".join(command))
    print(output.splitlines()[0])
    print(output.splitlines()[1])
    print(
        f"runs: {args.runs}, median {statistics.median(seconds):.2f} s, "
        f"min {min(seconds):.2f} s, max {max(seconds):.2f} s; "
        f"load average before the last run: {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
