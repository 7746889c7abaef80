"""Measure detection on labelled articles with the SemEval-2020 Task 11 span measures.

Span identification (technique-agnostic): gold spans of an article are merged where they
overlap, and so are predicted spans. Precision is the mean, over predicted spans, of the share
of the span that overlaps gold; recall is the mean, over gold spans, of the share covered by
predictions (partial-overlap credit, as in the task's scorer); F1 is their harmonic mean. The
means run over all spans of all articles.

Technique-aware: the same, per corpus label, counting overlap only between a prediction and
gold of the same label (framecheck techniques map to corpus labels through
``Technique.corpus_label``; see ``framecheck rules techniques``); the overall figure pools the
per-label sums. Predictions whose technique has no corpus label (framecheck's own devices)
are left out of both measures unless asked for.

Per rule: each finding of a rule on its own, the share of it inside gold of any label and of
the rule's own label, so a rule author sees which rules are right when they speak.

Honest reporting: ``--split dev`` keeps articles with an even numeric id, ``--split report``
those with an odd id; rules are developed on the first half and reported on the second.
"""

from __future__ import annotations

import bisect
import csv
import math
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import FramecheckError
from ..core.model import Document

Span = tuple[int, int]
ARTICLE_ID = re.compile(r"(\d+)")
SPLITS = ("all", "dev", "report")


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping (or touching) spans joined into one, sorted."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def overlap(span: Span, others: Sequence[Span]) -> int:
    """How many characters of ``span`` the (non-overlapping) ``others`` cover."""
    start, end = span
    return sum(max(0, min(end, o_end) - max(start, o_start)) for o_start, o_end in others)


@dataclass
class SpanScore:
    """Sums behind precision and recall, so scores of articles and labels can be pooled."""

    precision_sum: float = 0.0
    predicted: int = 0
    recall_sum: float = 0.0
    gold: int = 0

    def add(self, predicted: Sequence[Span], gold: Sequence[Span]) -> None:
        predicted, gold = merge(predicted), merge(gold)
        self.precision_sum += sum(overlap(p, gold) / (p[1] - p[0]) for p in predicted)
        self.recall_sum += sum(overlap(g, predicted) / (g[1] - g[0]) for g in gold)
        self.predicted += len(predicted)
        self.gold += len(gold)

    def pool(self, other: SpanScore) -> None:
        self.precision_sum += other.precision_sum
        self.predicted += other.predicted
        self.recall_sum += other.recall_sum
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.precision_sum / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.recall_sum / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "predicted_spans": self.predicted, "gold_spans": self.gold}


@dataclass
class RuleScore:
    """Where one rule's findings fall, for a rule author deciding what to keep or tighten.

    Each finding counts on its own (not merged with its neighbours): its precision is the
    share of its characters inside gold spans of any label, and its label precision the share
    inside gold spans of the rule's own corpus label (None for framecheck's own techniques,
    which the corpus does not label).
    """

    label: str | None
    findings: int = 0
    in_gold_sum: float = 0.0
    in_label_sum: float = 0.0

    def add(self, span: Span, gold: Sequence[Span], gold_of_label: Sequence[Span]) -> None:
        length = span[1] - span[0]
        if length <= 0:
            return
        self.findings += 1
        self.in_gold_sum += overlap(span, gold) / length
        self.in_label_sum += overlap(span, gold_of_label) / length

    @property
    def precision(self) -> float:
        return self.in_gold_sum / self.findings if self.findings else 0.0

    @property
    def label_precision(self) -> float | None:
        if self.label is None:
            return None
        return self.in_label_sum / self.findings if self.findings else 0.0

    def to_dict(self) -> dict[str, str | float | int | None]:
        label_precision = self.label_precision
        return {"label": self.label, "findings": self.findings, "precision": round(self.precision, 4),
                "label_precision": None if label_precision is None else round(label_precision, 4)}


@dataclass(frozen=True)
class RuleFinding:
    """What ``Evaluation.add_rule_findings`` needs of a finding."""

    rule_id: str
    label: str | None
    span: Span


@dataclass
class Evaluation:
    """Scores of one evaluation run: overall, technique-aware overall, per corpus label and per rule."""

    articles: int = 0
    spans: SpanScore = field(default_factory=SpanScore)
    by_label: dict[str, SpanScore] = field(default_factory=lambda: defaultdict(SpanScore))
    by_rule: dict[str, RuleScore] = field(default_factory=dict)
    # Span identification per article language, when the article labels name one.
    by_language: dict[str, SpanScore] = field(default_factory=lambda: defaultdict(SpanScore))

    @property
    def technique_aware(self) -> SpanScore:
        pooled = SpanScore()
        for score in self.by_label.values():
            pooled.pool(score)
        return pooled

    def add_article(
        self, predicted: Mapping[str, list[Span]], gold: Mapping[str, list[Span]], untyped: Sequence[Span] = (),
        language: str | None = None,
    ) -> None:
        """``predicted`` and ``gold`` map corpus labels to spans of one article; ``untyped`` spans
        (the learned layer's, which name no technique) count in span identification only, which
        is also kept per ``language`` when the article's is known."""
        self.articles += 1
        all_predicted = [s for spans in predicted.values() for s in spans] + list(untyped)
        all_gold = [s for spans in gold.values() for s in spans]
        self.spans.add(all_predicted, all_gold)
        if language:
            self.by_language[language].add(all_predicted, all_gold)
        for label in set(predicted) | set(gold):
            self.by_label[label].add(predicted.get(label, []), gold.get(label, []))

    def add_rule_findings(self, findings: Iterable[RuleFinding], gold: Mapping[str, list[Span]]) -> None:
        """Credit each finding of one article to its rule (``gold``: corpus label -> spans)."""
        any_label = merge(span for spans in gold.values() for span in spans)
        by_label = {label: merge(spans) for label, spans in gold.items()}
        for finding in findings:
            score = self.by_rule.setdefault(finding.rule_id, RuleScore(finding.label))
            score.add(finding.span, any_label, by_label.get(finding.label, []) if finding.label else [])

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "span_identification": self.spans.to_dict(),
            "technique_aware": self.technique_aware.to_dict(),
            "by_label": {label: self.by_label[label].to_dict() for label in sorted(self.by_label)},
            "by_rule": {rule: self.by_rule[rule].to_dict() for rule in sorted(self.by_rule)},
            "by_language": {language: self.by_language[language].to_dict() for language in sorted(self.by_language)},
        }

    def table(self) -> list[str]:
        labels = sorted(self.by_label, key=lambda label: -self.by_label[label].gold)
        by_label = [(label, self.by_label[label]) for label in labels]
        return score_table("LABEL", [*by_label, ("technique-aware (all labels)", self.technique_aware),
                                     ("span identification", self.spans)])

    def rule_table(self) -> list[str]:
        """One row per rule that found something, the busiest first."""
        rows = [("RULE", "LABEL", "FOUND", "P(ANY)", "P(LABEL)")]
        for rule in sorted(self.by_rule, key=lambda r: (-self.by_rule[r].findings, r)):
            score = self.by_rule[rule]
            label_precision = score.label_precision
            rows.append((rule, score.label or "-", str(score.findings), f"{score.precision:.3f}",
                         "-" if label_precision is None else f"{label_precision:.3f}"))
        rule_width = max(len(row[0]) for row in rows)
        label_width = max(len(row[1]) for row in rows)
        return [f"{row[0]:<{rule_width}}  {row[1]:<{label_width}}  " + "  ".join(f"{cell:>8}" for cell in row[2:])
                for row in rows]


def score_table(title: str, rows: Iterable[tuple[str, SpanScore]]) -> list[str]:
    """Precision, recall, F1 and span counts, a row per named score, the names aligned."""
    cells = [(title, "P", "R", "F1", "PRED", "GOLD")] + [
        (name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.predicted),
         str(score.gold))
        for name, score in rows
    ]
    width = max(len(row[0]) for row in cells)
    return [f"{row[0]:<{width}}  " + "  ".join(f"{cell:>6}" for cell in row[1:]) for row in cells]


def read_labels(path: Path) -> dict[str, dict[str, list[Span]]]:
    """article id -> corpus label -> spans, from a ``id<TAB>label<TAB>start<TAB>end`` file."""
    labels: dict[str, dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    try:
        with path.open(encoding="utf-8") as handle:
            for number, row in enumerate(csv.reader(handle, delimiter="\t"), 1):
                if not row:
                    continue
                if len(row) != 4 or not row[2].isdigit() or not row[3].isdigit():
                    raise FramecheckError(f"{path}:{number}: expected article_id<TAB>label<TAB>start<TAB>end")
                labels[row[0]][row[1]].append((int(row[2]), int(row[3])))
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot read labels: {exc.strerror or exc}") from None
    return labels


def read_article_labels(path: Path, languages: dict[str, str] | None = None) -> dict[str, int]:
    """article id -> 1 (propaganda, manipulative) or 0, from a CSV with ``id`` and ``label``
    columns; with ``languages``, also filled with article id -> language from a ``lang`` (or
    ``language``) column when the CSV has one (the UNLP posts do)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"id", "label"} <= set(reader.fieldnames):
                raise FramecheckError(f"{path}:1: expected a header with 'id' and 'label' columns")
            column = next((name for name in ("lang", "language") if name in reader.fieldnames), None)
            labels = {}
            for number, row in enumerate(reader, 2):
                value = (row.get("label") or "").strip()
                if value not in ("0", "1"):
                    raise FramecheckError(f"{path}:{number}: label must be 0 or 1, not {value!r}")
                identifier = (row.get("id") or "").strip()
                labels[identifier] = int(value)
                if languages is not None and column is not None:
                    languages[identifier] = (row.get(column) or "").strip()
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot read article labels: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FramecheckError(f"{path}: article labels are not valid UTF-8") from None
    return labels


def roc_auc(scored: Sequence[tuple[float, int]]) -> float | None:
    """The area under the ROC curve of (score, label) pairs: the chance that a random positive
    outscores a random negative, ties counting half. None without both classes."""
    positives = sum(1 for _, label in scored if label)
    negatives = len(scored) - positives
    if not positives or not negatives:
        return None
    ranked = sorted(scored, key=lambda item: item[0])
    rank_sum, index = 0.0, 0
    while index < len(ranked):
        last = index
        while last + 1 < len(ranked) and ranked[last + 1][0] == ranked[index][0]:
            last += 1
        mean_rank = (index + last) / 2 + 1
        rank_sum += mean_rank * sum(1 for _, label in ranked[index : last + 1] if label)
        index = last + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


Z_95 = 1.959964  # the normal quantile of a two-sided 95% interval


@dataclass(frozen=True)
class AucInterval:
    """A ROC AUC with its 95% confidence interval (DeLong's variance: no resampling, so the same
    scores always give the same interval)."""

    auc: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.auc:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def to_dict(self) -> dict[str, Any]:
        return {"auc": round(self.auc, 4), "ci95": [round(self.low, 4), round(self.high, 4)]}

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> AucInterval:
        low, high = stored["ci95"]
        return cls(float(stored["auc"]), float(low), float(high))


def auc_interval(scored: Sequence[tuple[float, int]]) -> AucInterval | None:
    """:func:`roc_auc` with a 95% interval from DeLong's structural components: per positive,
    the share of negatives it outscores; per negative, the share of positives that outscore it
    (ties half). None without both classes, or with fewer than two of either."""
    positives = sorted(score for score, label in scored if label)
    negatives = sorted(score for score, label in scored if not label)
    if len(positives) < 2 or len(negatives) < 2:
        return None
    above_negatives = [_share_below(negatives, score) for score in positives]
    below_positives = [1.0 - _share_below(positives, score) for score in negatives]
    auc = sum(above_negatives) / len(positives)
    variance = (_sample_variance(above_negatives) / len(positives)
                + _sample_variance(below_positives) / len(negatives))
    margin = Z_95 * math.sqrt(variance)
    return AucInterval(auc, max(0.0, auc - margin), min(1.0, auc + margin))


def _share_below(ordered: Sequence[float], score: float) -> float:
    """The share of ``ordered`` below ``score``, ties counting half."""
    below, not_above = bisect.bisect_left(ordered, score), bisect.bisect_right(ordered, score)
    return (below + (not_above - below) / 2) / len(ordered)


def _sample_variance(values: Sequence[float]) -> float:
    mean = sum(values) / len(values)
    return sum((value - mean) ** 2 for value in values) / (len(values) - 1)


def labelled_documents(articles_dir: Path, split: str) -> Iterator[tuple[str, Document]]:
    """(article id, document) of every ``*<ID>.txt`` article in the split, in name order, read
    one at a time as plain text."""
    from ..inputs.readers import Input, ReadOptions, TextReader

    reader = TextReader()
    for path in sorted(articles_dir.glob("*.txt")):
        identifier = article_id(path)
        if identifier is not None and in_split(identifier, split):
            (document,) = reader.read(Input(str(path), path), ReadOptions())
            yield identifier, document


def spans_of(labels: Mapping[str, Mapping[str, list[Span]]], identifier: str) -> list[Span]:
    """Every gold span of one article, whatever its label (span identification, training)."""
    return [span for spans in labels.get(identifier, {}).values() for span in spans]


def article_id(path: Path) -> str | None:
    found = ARTICLE_ID.search(path.stem)
    return found.group(1) if found else None


def in_split(identifier: str, split: str) -> bool:
    if split == "all":
        return True
    even = int(identifier) % 2 == 0
    return even if split == "dev" else not even


def fold_of(identifier: str, folds: int, seed: int = 0) -> int:
    """An article's fold: a hash of its id (and ``seed``), so the split never depends on order
    and keeps each article whole. Seed 0 gives the folds ``framecheck train`` holds out."""
    key = identifier if seed == 0 else f"{seed}\0{identifier}"
    return zlib.crc32(key.encode("utf-8")) % folds


@dataclass(frozen=True)
class Spread:
    """The mean and sample standard deviation of one figure over folds."""

    mean: float
    sd: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
        return cls(mean, sd)

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.sd:.3f}"

    def to_dict(self) -> dict[str, float]:
        return {"mean": round(self.mean, 4), "sd": round(self.sd, 4)}


def fold_spreads(folds: Sequence[Evaluation]) -> dict[str, Spread]:
    """Span-identification precision, recall and F1 over the folds, as mean ± sd."""
    return {name: Spread.of([getattr(fold.spans, name) for fold in folds]) for name in ("precision", "recall", "f1")}
