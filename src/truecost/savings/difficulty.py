"""A lightweight classifier of request difficulty: simple, standard or complex.

It scores a prompt on signals that cost nothing to compute: length, code, numbered or
multi-step instructions, and the kind of task its verbs ask for. A score near a tier
boundary makes the tier uncertain, which is the risk routing reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(r"```|\bdef |\bclass |\bfunction\b|[{};]\s*$|\bimport \w", re.MULTILINE)
_STEPS = re.compile(r"^\s*(\d+[.)]|[-*])\s+\S", re.MULTILINE)
_MULTI_STEP_WORDS = re.compile(r"\b(then|after that|step by step|first|finally|next)\b", re.I)
_COMPLEX_TASK = re.compile(
    r"\b(prove|derive|design|architect|debug|refactor|optimi[sz]e|analy[sz]e|calculate|solve|"
    r"how many|how much|explain why)\b",
    re.I,
)
_SIMPLE_TASK = re.compile(
    r"\b(classify|label|translate|summari[sz]e|extract|rephrase|spell|yes or no|which of the following)\b",
    re.I,
)
_NUMBERS = re.compile(r"\d+(\.\d+)?")

# Score bounds between tiers, and how close to a bound a score is uncertain.
SIMPLE_BELOW = 1.0
COMPLEX_FROM = 3.0
MARGIN = 0.5


@dataclass(frozen=True)
class Difficulty:
    """The tier of a request, its score and whether the score sits near a boundary."""

    tier: str
    score: float
    uncertain: bool


# The signals a prompt is scored on, in the order ``features`` returns them.
FEATURE_NAMES = (
    "length",
    "code",
    "numbered_steps",
    "multi_step_words",
    "complex_task",
    "numbers",
    "simple_task",
)
# Hand-set weight of each feature in the rule-based score.
RULE_WEIGHTS = (1.0, 1.5, 1.0, 1.0, 1.0, 1.0, -1.0)


def features(text: str) -> tuple[float, ...]:
    """Return the signals of a prompt, each capped so that no single one dominates."""
    words = len(text.split())
    return (
        min(words / 150, 2.0),
        1.0 if _CODE.search(text) else 0.0,
        min(len(_STEPS.findall(text)) * 0.3, 1.2),
        min(len(_MULTI_STEP_WORDS.findall(text)) * 0.3, 0.9),
        1.0 if _COMPLEX_TASK.search(text) else 0.0,
        min(len(_NUMBERS.findall(text)) * 0.15, 0.9),
        1.0 if _SIMPLE_TASK.search(text) else 0.0,
    )


def score(text: str) -> float:
    """Return the rule-based difficulty score of a prompt; higher is harder."""
    value = sum(
        weight * signal for weight, signal in zip(RULE_WEIGHTS, features(text), strict=True)
    )
    return max(value, 0.0)


def classify(
    text: str, simple_below: float = SIMPLE_BELOW, complex_from: float = COMPLEX_FROM
) -> Difficulty:
    """Return the tier of a prompt from its score."""
    value = score(text)
    if value < simple_below:
        tier = "simple"
    elif value < complex_from:
        tier = "standard"
    else:
        tier = "complex"
    near = min(abs(value - simple_below), abs(value - complex_from))
    return Difficulty(tier, value, near < MARGIN)
