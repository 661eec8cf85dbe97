"""``truecost cache``: calibrate the semantic cache and inspect a cache file."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path

import click

from truecost.cache.calibrate import Calibration, PrecomputedEmbedder, ReplayScore, calibrate
from truecost.cache.embeddings import DEFAULT_EMBEDDER, create_embedder, embedder_names
from truecost.cache.labeled import load_labeled, sample_labeled
from truecost.cache.lookup import CacheStats
from truecost.cache.store import SQLiteStore
from truecost.cli.common import format_option
from truecost.errors import ConfigError, InputError, MissingInputError


@click.group(name="cache")
def command() -> None:
    """Semantic cache: calibrate a threshold per embedding model, inspect a cache."""


@command.command(name="calibrate")
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--backend",
    default=DEFAULT_EMBEDDER,
    show_default=True,
    help=f"Embedding backend ({', '.join(embedder_names())}).",
)
@click.option(
    "--target",
    "target_wrong_rate",
    default=0.01,
    show_default=True,
    type=float,
    help="Largest share of hits allowed to be wrong (0.01 = 1%).",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the shuffled replay order.")
@click.option(
    "--limit", type=int, default=None, help="Use a random sample of N texts (drawn with --seed)."
)
@click.option("--text-column", default="text", show_default=True, help="CSV column of texts.")
@click.option(
    "--label-column", default="category", show_default=True, help="CSV column of answer labels."
)
@click.option(
    "--base-url",
    help="With --backend openai: the endpoint's base URL (POST {base-url}/embeddings).",
)
@click.option("--model", "model_name", help="With --backend openai: the embedding model name.")
@click.option(
    "--api-key-env",
    default="OPENAI_API_KEY",
    show_default=True,
    help="With --backend openai: the environment variable that contains the API key.",
)
@format_option("table", "json", "markdown")
def calibrate_command(
    data: Path,
    backend: str,
    target_wrong_rate: float,
    seed: int,
    limit: int | None,
    text_column: str,
    label_column: str,
    base_url: str | None,
    model_name: str | None,
    api_key_env: str,
    output_format: str,
) -> None:
    """Replay labeled DATA through the cache and pick the policy for a wrong-hit target.

    DATA is a CSV of texts with answer labels (same label: may share an answer), or a JSONL
    of duplicate pairs with "origin" and "similar" fields.
    """
    if not 0 < target_wrong_rate < 1:
        raise ConfigError(f"--target must be between 0 and 1, got {target_wrong_rate}")
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {limit}")
    options: dict[str, object] = {}
    if backend == "openai":
        if not base_url or not model_name:
            raise ConfigError("--backend openai needs --base-url and --model")
        options = {"base_url": base_url, "model": model_name, "api_key_env": api_key_env}
    elif base_url or model_name:
        raise ConfigError("--base-url and --model apply to --backend openai only")
    labeled = load_labeled(data, text_column, label_column)
    if limit is not None:
        labeled = sample_labeled(labeled, limit, seed)
    embedder = PrecomputedEmbedder.build(create_embedder(backend, **options), labeled.texts)
    with _one_blas_thread():
        result = calibrate(labeled, embedder, target_wrong_rate, seed)
    click.echo(render_calibration(result, output_format))


@command.command(name="stats")
@click.argument("cache_file", type=click.Path(path_type=Path))
@format_option("table", "json")
def stats_command(cache_file: Path, output_format: str) -> None:
    """Show the number of entries in a cache file, after checking every stored vector."""
    if cache_file.is_dir():
        raise InputError(f"{cache_file} is a folder; give the path of a cache file")
    if not cache_file.is_file():
        raise MissingInputError(f"cache file not found: {cache_file}")
    store = SQLiteStore(cache_file, read_only=True)
    try:
        # The first invalid vector raises CacheStoreError (exit status 2), as opening the cache would.
        for _ in store.load_vectors():
            pass
        stats = CacheStats(entries=store.count())
    finally:
        store.close()
    if output_format == "json":
        click.echo(json.dumps({"file": str(cache_file), "entries": stats.entries}))
    else:
        click.echo(f"{cache_file}: {stats.entries} entries")


def render_calibration(result: Calibration, output_format: str) -> str:
    """Render a calibration as an aligned table, a Markdown table or JSON."""
    rows = [
        _row(kind, score)
        for kind, scores in (
            ("fixed", result.fixed),
            ("margin", result.margin),
            ("learned", result.learned),
        )
        for score in scores
    ]
    best = result.recommended
    if output_format == "json":
        return json.dumps(
            {
                "embedder": result.embedder_id,
                "source": result.source,
                "seed": result.seed,
                "target_wrong_rate": result.target_wrong_rate,
                "pair_threshold": result.pair_threshold,
                "pair_curve": [dataclasses.asdict(p) for p in result.curve],
                "replays": rows,
                "recommended": None if best is None else _row(_kind(best), best),
            },
            indent=2,
        )
    header = ["policy", "threshold", "margin", "hit rate", "wrong hits", "hits"]
    lines: list[list[str]] = [
        [
            str(r["policy"]),
            f"{r['threshold']:.2f}",
            f"{r['margin']:.2f}",
            f"{r['hit_rate']:.1%}",
            f"{r['wrong_rate']:.2%}",
            str(r["hits"]),
        ]
        for r in rows
    ]
    summary = (
        f"{result.embedder_id} on {result.source}: pair curve suggests "
        f"{result.pair_threshold}; recommended: "
        + (
            "none within the target"
            if best is None
            else f"{_kind(best)} threshold {best.policy.threshold:.2f} margin "
            f"{best.policy.margin:.2f} ({best.hit_rate:.1%} hits, "
            f"{best.wrong_rate:.2%} wrong)"
        )
    )
    if output_format == "markdown":
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join([summary, "", *table])
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    text = [
        " ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *lines]
    ]
    return "\n".join([*text, "", summary])


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Limit BLAS to one thread, which keeps many small searches fast on a busy machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[object] = threadpool_limits(1, user_api="blas")
    return limits


def _kind(score: ReplayScore) -> str:
    if score.policy.learn_thresholds:
        return "learned"
    return "margin" if score.policy.margin > 0 else "fixed"


def _row(kind: str, score: ReplayScore) -> dict[str, object]:
    return {
        "policy": kind,
        "threshold": score.policy.threshold,
        "margin": score.policy.margin,
        "hit_rate": score.hit_rate,
        "wrong_rate": score.wrong_rate,
        "hits": score.hits,
        "wrong_hits": score.wrong_hits,
        "queries": score.queries,
    }
