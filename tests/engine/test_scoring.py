"""The score model: weights by severity and context, normalised by length, saturating, banded."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from helpers import run

from framecheck import Document, Severity
from framecheck.core.model import Finding
from framecheck.engine.scoring import ScoringModel

WORDS = "word " * 994


def finding(*, severity=Severity.WARNING, part="body", quote=None, weight=1.0, technique="loaded-language") -> Finding:
    return Finding("r", technique, severity, "m", 0, 1, "w", 1, 1, weight=weight, part=part, quote=quote)


@pytest.mark.parametrize(
    ("kwargs", "points"),
    [
        ({}, 1.0),
        ({"severity": Severity.INFO}, 0.5),
        ({"severity": Severity.ERROR, "weight": 3}, 6.0),
        ({"part": "headline"}, 2.0),
        ({"part": "lede"}, 1.5),
        ({"part": "boilerplate"}, 0.0),
        ({"quote": "Vedant Patel"}, 0.25),
        ({"quote": ""}, 0.6),
        ({"part": "headline", "quote": "Vedant Patel", "severity": Severity.ERROR}, 1.0),
    ],
)
def test_each_finding_contributes_weight_times_severity_times_context(kwargs: dict, points: float) -> None:
    assert ScoringModel().contribution(finding(**kwargs)) == pytest.approx(points)


def test_density_saturation_and_bands() -> None:
    model = ScoringModel()
    document = Document("d", WORDS + "a b c d e f")  # 1,000 words
    low = model.score(document, [finding()] * 3)
    # 3 points in 1,000 words, shrunk as if 400 clean words were added
    assert low.density == 3.0 and low.value == pytest.approx(100 * (1 - math.exp(-3 * 1000 / 1400 / 12)), abs=0.05)
    assert low.band == "low"
    elevated = model.score(document, [finding()] * 6)
    assert elevated.band == "elevated" and 25 <= elevated.value < 40
    high = model.score(document, [finding(severity=Severity.ERROR, weight=3)] * 10)
    assert high.band == "high" and high.value <= 100
    assert model.score(document, []).value == 0 and model.score(Document("e", ""), [finding()]).value == 0


def test_a_short_text_is_shrunk_towards_a_clean_one_and_a_long_one_hardly() -> None:
    model = ScoringModel()
    brief = Document("brief", " ".join(["word"] * 29))
    one = model.score(brief, [finding(weight=2.25)])  # "Sources say" in a brief's lede: 1.5 x lede 1.5
    assert one.density == pytest.approx(77.59, abs=0.01)  # the density stays points per 1,000 words
    assert one.band == "elevated" and one.value == pytest.approx(35.4, abs=0.05)
    long = Document("long", " ".join(["word"] * 2000))
    same_density = model.score(long, [finding(weight=2.25)] * 69)
    assert same_density.density == pytest.approx(77.6, abs=0.1) and same_density.value > 99
    unshrunk = ScoringModel(prior_words=0).score(brief, [finding(weight=2.25)])
    assert unshrunk.value == pytest.approx(100 * (1 - math.exp(-2250 / 29 / 12)), abs=0.05)


def test_the_breakdown_says_which_techniques_contribute_how_much() -> None:
    document = Document("d", WORDS + "a b c d e f")
    score = ScoringModel().score(document, [finding(), finding(technique="doubt", severity=Severity.ERROR, weight=1.5)])
    assert [(t.technique, t.findings, t.weight, t.share) for t in score.by_technique] == [
        ("doubt", 1, 3.0, 75.0),
        ("loaded-language", 1, 1.0, 25.0),
    ]


def test_waived_and_baselined_findings_do_not_score() -> None:
    from framecheck.core.model import Suppression

    document = Document("d", WORDS)
    waived = Finding("r", "doubt", Severity.ERROR, "m", 0, 1, "w", 1, 1,
                     suppression=Suppression((), "file", 0, 1, 1, "ok"))
    baselined = Finding("r", "doubt", Severity.ERROR, "m", 0, 1, "w", 1, 1, baselined=True)
    assert ScoringModel().score(document, [waived, baselined]).value == 0


def test_weights_and_bands_are_configurable(tmp_path: Path) -> None:
    (tmp_path / ".framecheck.yaml").write_text(
        "scoring:\n  scale: 1000\n  prior-words: 0\n  severity: {warning: 4}\n  bands: {elevated: 1, high: 2}\n",
        encoding="utf-8"
    )
    story = tmp_path / "story.txt"
    story.write_text("They terrorised the town.\n", encoding="utf-8")
    score = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"][0]["score"]
    assert score["total_weight"] == 6.0  # weight 1.5 x warning 4
    assert score["density"] == 1500.0
    assert score["band"] == "high" and score["value"] == pytest.approx(100 * (1 - math.exp(-1.5)), abs=0.05)
    (tmp_path / ".framecheck.yaml").write_text("scoring:\n  scael: 3\n", encoding="utf-8")
    bad = run("scan", str(story))
    assert bad.exit_code == 2 and "unknown key 'scael' in scoring" in bad.stderr


def test_headline_counts_more_than_body_and_quotes_less(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Barbaric attack\n\nThe attack on Tuesday was barbaric, killing four people in the city centre overnight.\n\n"
        "\"It was barbaric,\" Vedant Patel said.\n",
        encoding="utf-8",
    )
    (article,) = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"]
    assert [(f["part"], f["quote"]) for f in article["findings"]] == [
        ("headline", None), ("lede", None), ("body", {"speaker": "Vedant Patel"})
    ]
    assert article["score"]["total_weight"] == pytest.approx(2.0 + 1.5 + 0.25)
