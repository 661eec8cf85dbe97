"""Labeled data for calibration: texts with an answer label, read from CSV or JSONL.

Two layouts are read:

- a CSV with a text column and a label column (``text,category`` as in BANKING77): texts with
  the same label may share a cached answer;
- a JSONL of duplicate pairs (``{"origin": ..., "similar": ...}``, as in the QQP pairs): both
  texts of a pair get the same label, and pairs that share a text are merged into one label.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from truecost.errors import InputError, MissingInputError
from truecost.importers.formats.tabular import MAX_CELL_CHARS


@dataclass(frozen=True, slots=True)
class LabeledTexts:
    """Texts and, for each, the label of its right answer."""

    texts: list[str]
    labels: list[str]
    source: str


def load_labeled(
    path: Path, text_column: str = "text", label_column: str = "category"
) -> LabeledTexts:
    """Read a labeled CSV, or a JSONL of duplicate pairs when the name ends in ``.jsonl``."""
    if not path.is_file():
        raise MissingInputError(f"labeled data file not found: {path}")
    try:
        if path.suffix == ".jsonl":
            return _load_pairs(path)
        return _load_csv(path, text_column, label_column)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8"
        ) from exc


def sample_labeled(data: LabeledTexts, size: int, seed: int = 0) -> LabeledTexts:
    """Return a random sample of ``size`` texts, in their original order."""
    if size < 1:
        raise InputError(f"sample size must be >= 1, got {size}")
    if size >= len(data.texts):
        return data
    rows = sorted(random.Random(seed).sample(range(len(data.texts)), size))
    texts = [data.texts[row] for row in rows]
    labels = [data.labels[row] for row in rows]
    return LabeledTexts(texts, labels, f"{data.source} (sample of {size})")


def _load_csv(path: Path, text_column: str, label_column: str) -> LabeledTexts:
    texts: list[str] = []
    labels: list[str] = []
    # The limit is process-wide, and the csv module's default is too small for long texts.
    csv.field_size_limit(MAX_CELL_CHARS)
    # utf-8-sig drops the byte-order mark that spreadsheet programs write before the header.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (text_column, label_column) if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                f"{path}: missing column {missing[0]!r} (columns: {reader.fieldnames or 'none'}); "
                "name the columns with --text-column and --label-column"
            )
        for line, row in enumerate(reader, start=2):
            text, label = row[text_column] or "", row[label_column] or ""
            if not text.strip() or not label.strip():
                raise InputError(f"{path}:{line}: empty text or label; remove the row")
            texts.append(text)
            labels.append(label)
    if not texts:
        raise InputError(f"{path}: no rows")
    return LabeledTexts(texts, labels, str(path))


def _load_pairs(path: Path) -> LabeledTexts:
    parent: dict[str, str] = {}

    def find(text: str) -> str:
        parent.setdefault(text, text)
        while parent[text] != text:
            parent[text] = parent[parent[text]]
            text = parent[text]
        return text

    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                pair = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path}:{line_number}: not valid JSON ({exc}); write one JSON object "
                    'per line, such as {"origin": "...", "similar": "..."}'
                ) from None
            first = pair.get("origin") if isinstance(pair, dict) else None
            second = pair.get("similar") if isinstance(pair, dict) else None
            if not (isinstance(first, str) and first and isinstance(second, str) and second):
                raise InputError(
                    f"{path}:{line_number}: expected a JSON object with the texts origin and "
                    'similar, such as {"origin": "...", "similar": "..."}; fix or remove the line'
                )
            parent[find(first)] = find(second)
    if not parent:
        raise InputError(f"{path}: no pairs")
    texts = list(parent)
    return LabeledTexts(texts, [find(text) for text in texts], str(path))
