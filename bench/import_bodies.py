"""Time the api-bodies importer's bulk path on synthesized response bodies.

Usage: python bench/import_bodies.py [--lines N] [--mix logged|short] [--keep PATH]
       python bench/import_bodies.py --input PATH

Copies the shapes of the real OpenAI (Chat Completions and Responses) and
Anthropic sample bodies in tests/data/api-responses, varies ids, models and
token counts, writes N lines to a temporary folder and times ``read_bulk``
(wall clock and the CPU time of this process). ``--mix logged`` uses every
sample body (2.9 KB per line on average, as logged, with the generated text);
``--mix short`` only those at or below the median sample size (1,160 bytes),
0.7 KB per line on average. ``--keep PATH`` writes the lines to PATH and keeps
them, for timing ``truecost import`` on the same file. ``--input PATH`` times
``read_bulk`` on a file written before.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from truecost.importers import ImportContext, get_importer

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "api-responses"
MODELS = {
    "openai": ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-5-2025-08-07", "o4-mini"],
    "anthropic": ["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-opus-4-1"],
}


def templates() -> list[tuple[str, dict[str, object]]]:
    """Return usable sample bodies (with usage and a model) of the two most logged shapes."""
    found = []
    for provider in MODELS:
        for line in (DATA / provider / "bodies.jsonl").read_bytes().splitlines():
            body = orjson.loads(line)
            if (
                isinstance(body.get("usage"), dict)
                and body.get("model")
                and "iterations" not in body["usage"]
            ):
                found.append((provider, body))
    return found


def short_templates() -> list[tuple[str, dict[str, object]]]:
    """Return the sample bodies no longer than the median sample, serialized as the file has them."""
    found = templates()
    median_bytes = statistics.median(len(orjson.dumps(body)) for _, body in found)
    return [(provider, body) for provider, body in found if len(orjson.dumps(body)) <= median_bytes]


def synthesize(path: Path, lines: int, mix: str = "logged", seed: int = 7) -> None:
    """Write ``lines`` bodies to ``path``, each a sample body with new ids, model and counts."""
    rng = random.Random(seed)
    shapes = short_templates() if mix == "short" else templates()
    with path.open("wb") as handle:
        for index in range(lines):
            provider, body = shapes[index % len(shapes)]
            body = dict(body)
            usage = dict(body["usage"])  # type: ignore[arg-type]
            body["model"] = rng.choice(MODELS[provider])
            if provider == "openai":
                prefix = "resp_" if body.get("object") == "response" else "chatcmpl-"
                body["id"] = f"{prefix}{index:012d}{rng.getrandbits(40):010x}"
                key = "input_tokens" if "input_tokens" in usage else "prompt_tokens"
                usage[key] = int(usage[key]) + rng.randrange(0, 5000)  # type: ignore[call-overload]
                out = "output_tokens" if "output_tokens" in usage else "completion_tokens"
                usage[out] = int(usage[out]) + rng.randrange(0, 800)  # type: ignore[call-overload]
                usage["total_tokens"] = usage[key] + usage[out]  # type: ignore[operator]
            else:
                body["id"] = f"msg_{index:012d}{rng.getrandbits(40):010x}"
                usage["input_tokens"] = rng.randrange(1, 5000)
                usage["output_tokens"] = rng.randrange(1, 800)
            body["usage"] = usage
            handle.write(orjson.dumps(body) + b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--mix", choices=["logged", "short"], default="logged")
    parser.add_argument("--keep", type=Path, help="write the lines here and keep the file")
    parser.add_argument("--input", type=Path, help="time this file instead of synthesizing one")
    args = parser.parse_args()
    if args.input:
        time_read_bulk(args.input)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bodies.jsonl"
        started = time.perf_counter()
        synthesize(path, args.lines, args.mix)
        print(
            f"synthesized {args.lines:,} lines ({path.stat().st_size / 1e6:.0f} MB, "
            f"mix {args.mix}) in {time.perf_counter() - started:.1f} s"
        )
        time_read_bulk(path)


def time_read_bulk(path: Path) -> None:
    """Print the wall clock and CPU time of ``read_bulk`` on ``path``."""
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    result = get_importer("api-bodies").read_bulk([path], ImportContext())
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    assert result is not None
    with open("/proc/loadavg") as handle:
        load = " ".join(handle.read().split()[:3])
    print(
        f"read_bulk: {result.table.num_rows:,} records, {result.issue_count} issues "
        f"in {elapsed:.2f} s ({result.table.num_rows / elapsed:,.0f} records/s), "
        f"CPU {cpu:.2f} s, load average {load}"
    )


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


if __name__ == "__main__":
    main()
