"""A difficulty classifier trained on labelled prompts: logistic regression on the rule features.

The labels record, per prompt, whether the weak (cheaper) model answered it right and,
optionally, whether the strong model did. Routing a prompt to the weak model loses
nothing when the weak model is right or the strong one is wrong too, so that is what the
model fits the probability of (with only ``weak_correct`` it is the weak model being
right). The fit is a logistic regression on the features of ``truecost.savings.difficulty``
(standardized, L2-penalized, Newton's method in numpy), so it learns how much each signal
matters on the user's own traffic instead of the hand-set weights.

A labels file is JSON Lines, one prompt per line (``strong_correct`` may be left out)::

    {"text": "Translate 'cat' to French.", "weak_correct": true, "strong_correct": true}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from truecost.errors import InputError
from truecost.savings.difficulty import Difficulty, classify, features
from truecost.savings.json_lines import json_lines

FloatArray = npt.NDArray[np.float64]
# Fewer labelled prompts than this give weights that are mostly noise.
MIN_LABELS = 20
# Strength of the L2 penalty on the standardized weights (not on the intercept).
L2_PENALTY = 1.0
# A probability this close to the threshold makes the tier uncertain.
PROBABILITY_MARGIN = 0.1
_MAX_ITERATIONS = 100


@dataclass(frozen=True)
class LabelledPrompt:
    """One prompt, whether the weak model answered it right, and the strong one if known."""

    text: str
    weak_correct: bool
    strong_correct: bool | None = None

    @property
    def safe_for_weak(self) -> bool:
        """Return True when routing the prompt to the weak model loses no right answer."""
        return self.weak_correct or self.strong_correct is False


@dataclass(frozen=True)
class TrainedClassifier:
    """Logistic regression weights over standardized difficulty features."""

    means: FloatArray
    scales: FloatArray
    weights: FloatArray
    intercept: float
    examples: int

    def probabilities(self, texts: list[str]) -> FloatArray:
        """Return, per text, the fitted probability that routing it to the weak model is safe."""
        matrix = feature_matrix(texts)
        logits = ((matrix - self.means) / self.scales) @ self.weights + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)

    def classify(self, text: str, min_weak_probability: float) -> Difficulty:
        """Return "simple" when the weak model is likely safe enough, else the rule's harder tier."""
        probability = float(self.probabilities([text])[0])
        if probability >= min_weak_probability:
            tier = "simple"
        else:
            tier = "complex" if classify(text).tier == "complex" else "standard"
        uncertain = abs(probability - min_weak_probability) < PROBABILITY_MARGIN
        return Difficulty(tier, probability, uncertain)


def feature_matrix(texts: list[str]) -> FloatArray:
    """Return the difficulty features of each text as the rows of a matrix."""
    return np.array([features(text) for text in texts], dtype=np.float64).reshape(len(texts), -1)


def train(examples: list[LabelledPrompt]) -> TrainedClassifier:
    """Fit the classifier, raising ``InputError`` when the labels cannot support a fit."""
    if len(examples) < MIN_LABELS:
        raise InputError(
            f"routing labels: {len(examples)} labelled prompts; at least {MIN_LABELS} are needed."
        )
    labels = np.array([example.safe_for_weak for example in examples], dtype=np.float64)
    if labels.min() == labels.max():
        raise InputError(
            "routing labels: every prompt is labelled alike (the weak model safe on all or on "
            "none); label prompts the weak model got right and wrong."
        )
    matrix = feature_matrix([example.text for example in examples])
    means = matrix.mean(axis=0)
    scales = matrix.std(axis=0)
    scales[scales == 0] = 1.0
    weights, intercept = fit_logistic((matrix - means) / scales, labels)
    return TrainedClassifier(means, scales, weights, intercept, len(examples))


def fit_logistic(matrix: FloatArray, labels: FloatArray) -> tuple[FloatArray, float]:
    """Return the weights and intercept of an L2-penalized logistic regression by Newton's method."""
    rows, columns = matrix.shape
    design = np.hstack([matrix, np.ones((rows, 1))])
    penalty = np.full(columns + 1, L2_PENALTY)
    penalty[-1] = 0.0
    coefficients = np.zeros(columns + 1)
    for _ in range(_MAX_ITERATIONS):
        fitted = 1.0 / (1.0 + np.exp(-(design @ coefficients)))
        gradient = design.T @ (fitted - labels) + penalty * coefficients
        curvature = fitted * (1.0 - fitted)
        hessian = design.T @ (design * curvature[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        coefficients -= step
        if np.abs(step).max() < 1e-10:
            break
    return coefficients[:-1], float(coefficients[-1])


def load_labels(path: Path) -> list[LabelledPrompt]:
    """Read a labels file, raising ``InputError`` naming the file and line of a bad entry."""
    return [_parse_label(where, entry) for where, entry in json_lines(path, "routing labels")]


def _parse_label(where: str, entry: object) -> LabelledPrompt:
    if not isinstance(entry, dict):
        raise InputError(f'{where}: expected an object with "text" and "weak_correct".')
    text, weak, strong = entry.get("text"), entry.get("weak_correct"), entry.get("strong_correct")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f'{where}: "text" must be a non-empty string.')
    if not isinstance(weak, bool):
        raise InputError(f'{where}: "weak_correct" must be true or false, got {weak!r}.')
    if strong is not None and not isinstance(strong, bool):
        raise InputError(
            f'{where}: "strong_correct" must be true, false or absent, got {strong!r}.'
        )
    return LabelledPrompt(text, weak, strong)
