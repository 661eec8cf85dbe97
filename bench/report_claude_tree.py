"""Time `truecost report DIR` end to end on a generated Claude Code log tree.

The bar is ccusage's daily report on the same tree. Make the tree first (about
1 GB, 221,073 requests over 90 days; it is not committed)::

    python3 ../shared/tools/gen_claude_logs.py --out /tmp/cc1g --size-mb 1000 --seed 2
    .venv/bin/python bench/report_claude_tree.py /tmp/cc1g --runs 5

With ``--ccusage BIN`` the same runs alternate with ``ccusage daily --offline``
on the same tree, so both tools see the same machine load. ccusage ships a
native binary on npm (``npm install ccusage`` into a scratch folder, then pass
``node_modules/@ccusage/ccusage-linux-x64/bin/ccusage``).

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


def timed_run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run ``command`` to completion and return its wall time in seconds and its stdout."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - start, done.stdout


def describe(name: str, seconds: list[float]) -> str:
    """Return one line with the median, minimum and maximum of ``seconds``."""
    return (
        f"{name}: runs {len(seconds)}, median {statistics.median(seconds):.2f} s, "
        f"min {min(seconds):.2f} s, max {max(seconds):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="folder containing projects/<project>/*.jsonl")
    parser.add_argument("--runs", type=int, default=5, help="number of timed runs")
    parser.add_argument("--ccusage", type=Path, help="ccusage binary to time on the same tree")
    args = parser.parse_args()
    command = [str(Path(sys.executable).with_name("truecost")), "report", str(args.tree)]
    ccusage_env = {**os.environ, "CLAUDE_CONFIG_DIR": str(args.tree)}
    ours: list[float] = []
    theirs: list[float] = []
    output = ""
    ccusage_total = ""
    for _ in range(args.runs):
        seconds, output = timed_run(command)
        ours.append(seconds)
        if args.ccusage:
            seconds, ccusage_output = timed_run(
                [str(args.ccusage), "daily", "--offline"], ccusage_env
            )
            theirs.append(seconds)
            totals = [line for line in ccusage_output.splitlines() if "Total" in line]
            ccusage_total = totals[-1].split("│")[-2].strip() if totals else "?"
    print(" ".join(command))
    print(output.splitlines()[0])
    print(output.splitlines()[1])
    print(describe("truecost", ours))
    if args.ccusage:
        print(f"ccusage daily --offline total: {ccusage_total}")
        print(describe("ccusage", theirs))
    print(f"load average after the last run: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
