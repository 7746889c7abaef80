"""Fitting the article score to article labels: ``framecheck train --article-labels``.

The score adds up each finding's points per technique and divides by the article's (shrunk)
length (:mod:`framecheck.engine.scoring`). Which techniques tell a manipulative article from an
ordinary one is a property of the corpus: in Telegram posts an exclamation says little, a call
to distrust says much. Given articles labelled 1 (propaganda) or 0, this module fits one
non-negative factor per technique (``scoring.technique``), so that the score ranks the labelled
articles as well as a logistic regression over the techniques' densities can; factors stay
non-negative so that more framing never lowers a score, and the score's breakdown by technique
still adds up. Techniques that never occur in the labelled articles keep the factor 1.

The factors are scaled so that the labelled articles' points add up to what they were: the
score's bands keep their meaning. Their worth is measured out of fold: each fold's articles are
scored with factors fitted on the other folds, and the ROC AUC of those scores (with its 95%
interval) is stored beside the AUC of the unfitted score on the same articles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .evaluation import auc_interval

PER_WORDS = 1000
RIDGE = 1.0  # L2 penalty on the standardised weights: a few hundred articles must not overfit
NEWTON_STEPS = 25


@dataclass(frozen=True)
class LabelledArticle:
    """One article's points per technique (factor 1), its word count, its label, and the fold
    training held it out in (its points come from a model that did not see it)."""

    identifier: str
    points: Mapping[str, float]
    words: int
    label: int
    fold: int = 0


def densities(article: LabelledArticle, techniques: Sequence[str], prior_words: float) -> list[float]:
    """The article's points per technique per 1,000 words, shrunk as the score shrinks them."""
    length = article.words + prior_words
    return [article.points.get(technique, 0.0) * PER_WORDS / length if length else 0.0 for technique in techniques]


def fit_factors(articles: Sequence[LabelledArticle], prior_words: float) -> dict[str, float]:
    """Non-negative factors per technique seen in ``articles`` (see the module)."""
    techniques = sorted({t for article in articles for t, points in article.points.items() if points > 0})
    if not techniques or len({article.label for article in articles}) < 2:
        return {}
    rows = [densities(article, techniques, prior_words) for article in articles]
    labels = [article.label for article in articles]
    weights = _non_negative_logistic(rows, labels)
    fitted = sum(sum(w * x for w, x in zip(weights, row)) for row in rows)
    plain = sum(sum(row) for row in rows)
    scale = plain / fitted if fitted > 0 else 1.0
    return {technique: round(weight * scale, 4) for technique, weight in zip(techniques, weights)}


def _non_negative_logistic(rows: list[list[float]], labels: list[int]) -> list[float]:
    """Logistic regression weights (no intercept returned) constrained to be at least zero: fitted
    by Newton's method on standardised columns, a column whose weight comes out negative is
    fixed at zero and the rest fitted again (an active set), until none is negative."""
    width = len(rows[0])
    spreads = [max(_sd([row[j] for row in rows]), 1e-9) for j in range(width)]
    scaled = [[row[j] / spreads[j] for j in range(width)] for row in rows]
    active = list(range(width))
    while True:
        coefficients = _newton([[row[j] for j in active] for row in scaled], labels)
        negative = [j for j, c in zip(active, coefficients[1:]) if c < 0]
        if not negative:
            weights = [0.0] * width
            for j, c in zip(active, coefficients[1:]):
                weights[j] = c / spreads[j]
            return weights
        active = [j for j in active if j not in negative]
        if not active:
            return [0.0] * width


def _sd(values: Sequence[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _newton(rows: list[list[float]], labels: list[int]) -> list[float]:
    """[intercept, weights...] of an L2-penalised logistic regression (Newton-Raphson)."""
    width = len(rows[0]) + 1
    beta = [0.0] * width
    for _ in range(NEWTON_STEPS):
        gradient = [0.0] * width
        hessian = [[0.0] * width for _ in range(width)]
        for row, label in zip(rows, labels):
            x = [1.0, *row]
            p = _sigmoid(sum(b * v for b, v in zip(beta, x)))
            weight = p * (1 - p)
            for i in range(width):
                gradient[i] += (label - p) * x[i]
                for k in range(i + 1):
                    hessian[i][k] += weight * x[i] * x[k]
        for i in range(width):
            for k in range(i):
                hessian[k][i] = hessian[i][k]
            if i:
                gradient[i] -= RIDGE * beta[i]
                hessian[i][i] += RIDGE
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return beta


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """``matrix`` x = ``vector`` by Gaussian elimination with partial pivoting (the matrix is a
    penalised Hessian: symmetric, positive definite)."""
    size = len(vector)
    grid = [row[:] + [value] for row, value in zip(matrix, vector)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(grid[r][column]))
        grid[column], grid[pivot] = grid[pivot], grid[column]
        for row in range(column + 1, size):
            ratio = grid[row][column] / grid[column][column]
            for k in range(column, size + 1):
                grid[row][k] -= ratio * grid[column][k]
    solution = [0.0] * size
    for row in range(size - 1, -1, -1):
        known = sum(grid[row][k] * solution[k] for k in range(row + 1, size))
        solution[row] = (grid[row][size] - known) / grid[row][row]
    return solution


def weighted_total(article: LabelledArticle, factors: Mapping[str, float], prior_words: float) -> float:
    """The article's shrunk density with ``factors`` (the score is a rising function of it)."""
    techniques = sorted(article.points)
    return sum(factors.get(t, 1.0) * d for t, d in zip(techniques, densities(article, techniques, prior_words)))


def fit_article_score(articles: Sequence[LabelledArticle], prior_words: float) -> dict[str, Any]:
    """The factors fitted on every article, and the out-of-fold AUC they earn (each article's
    fold scored with factors fitted on the others) against the unfitted score's, as stored in a
    model file's ``article_score``."""
    out_of_fold: list[tuple[float, int]] = []
    for fold in sorted({a.fold for a in articles}):
        factors = fit_factors([a for a in articles if a.fold != fold], prior_words)
        out_of_fold.extend((weighted_total(a, factors, prior_words), a.label) for a in articles if a.fold == fold)
    unfitted = [(weighted_total(a, {}, prior_words), a.label) for a in articles]
    return {
        "technique": fit_factors(articles, prior_words),
        "articles": len(articles),
        "auc_out_of_fold": _auc_dict(out_of_fold),
        "auc_unfitted": _auc_dict(unfitted),
    }


def _auc_dict(scored: list[tuple[float, int]]) -> dict[str, Any] | None:
    interval = auc_interval(scored)
    return None if interval is None else interval.to_dict()
