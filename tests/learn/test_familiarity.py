"""Thresholds for articles unlike the training articles: the familiarity profile, how training
chooses the stricter thresholds, how a model file keeps them and how a scan applies them."""

from __future__ import annotations

import itertools
import json
import re
import string
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import run, write_corpus

from framecheck.learn.calibration import EXTEND_GRID, HeldOut, choose_unfamiliar, measure
from framecheck.learn.familiarity import SIGNATURE_WORDS, Familiarity
from framecheck.learn.learned import LearnedModel, Thresholds, Unfamiliar
from framecheck.learn.model_file import FAMILIARITY_NAME, META_NAME, load_model, save_model

BRIDGE = [
    "The council voted on the river bridge repairs after the market flooded again.",
    "Engineers said the river bridge needs new cables before the market reopens.",
    "The mayor promised the bridge repairs would finish before the winter market.",
    "The school board cut the budget for the library and the sports hall.",
]
ORCHESTRA = "The orchestra rehearsed a symphony by candlelight while violinists tuned their instruments."


def words(text: str) -> list[str]:
    """Words as the learned layer's tokens give them (punctuation tokens do no harm)."""
    return re.findall(r"\w+|[^\w\s]", text)


def profile_of(texts: list[str]) -> Familiarity:
    return Familiarity.of_articles([words(text) for text in texts])


def test_an_article_about_a_training_story_is_familiar_and_one_about_another_is_not() -> None:
    profile = profile_of(BRIDGE)
    told_again = profile.of(words("Residents asked whether the river bridge repairs would delay the market."))
    assert 0.5 < told_again <= 1.0
    assert profile.of(words(ORCHESTRA)) == 0.0  # no word it shares with two training articles
    assert profile.of([]) == 0.0 and profile.of(words("12 34 !!")) == 0.0
    assert profile.of(words(BRIDGE[0])) >= told_again  # a training article is as familiar as any
    assert profile.of(words(BRIDGE[0].upper())) == profile.of(words(BRIDGE[0]))  # case tells no story


def test_a_word_in_one_training_article_tells_nothing_and_signatures_are_bounded() -> None:
    profile = profile_of(BRIDGE)
    assert "engineers" not in profile.words and "cables" not in profile.words  # each in one article only
    assert {"river", "bridge", "market", "repairs"} <= set(profile.words)
    assert "the" not in profile.words  # in every training article: it tells no story
    long_story = " ".join(f"{first}{second}{third}ing common" for first, second, third in
                          itertools.islice(itertools.product(string.ascii_lowercase, repeat=3), 500))
    wide = profile_of([long_story, long_story, "common ground"])
    assert list(np.bincount(wide.articles)) == [SIGNATURE_WORDS, SIGNATURE_WORDS]  # of 500 words each


def test_the_profile_survives_its_own_dict_and_refuses_a_broken_one() -> None:
    profile = profile_of(BRIDGE)
    again = Familiarity.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert again.of(words(BRIDGE[1])) == pytest.approx(profile.of(words(BRIDGE[1])), abs=1e-4)
    for broken in ([], {"idf": {}}, {"idf": {"river": "high"}, "postings": {}},
                   {"idf": {"river": 0.4}, "postings": {"river": [[0]]}},
                   {"idf": {"river": 0.4}, "postings": {"river": [[0, float("nan")]]}},
                   {"idf": {"river": 0.4}, "postings": {"river": [[-1, 0.5]]}},
                   {"idf": {"river": 0.4}, "postings": {"river": [[1.5, 0.5]]}},
                   {"idf": {"river": 0.4}, "postings": {"river": [[10**9, 0.5]]}}):
        with pytest.raises(ValueError):
            Familiarity.from_dict(broken)


def held(probabilities: list[tuple[float, bool]], familiarity: float) -> HeldOut:
    """An article with one-token candidate spans of these probabilities (each right or wrong)."""
    spans = [(10 * index, 10 * index + 5, 1, probability) for index, (probability, _) in enumerate(probabilities)]
    gold = [(start, end) for (start, end, _, _), (_, right) in zip(spans, probabilities) if right]
    article = HeldOut(gold, [], [], familiarity)
    for extend in EXTEND_GRID:
        article._runs[extend] = spans
    return article


# Familiar articles: every candidate right. Unfamiliar ones: the less sure candidates all wrong.
FAMILIAR = [(0.65, True)] * 10 + [(0.97, True)] * 10
UNFAMILIAR = [(0.65, False)] * 10 + [(0.97, True)] * 10


def test_training_chooses_stricter_span_thresholds_on_the_less_familiar_half() -> None:
    folds = [[held(FAMILIAR, 0.8), held(UNFAMILIAR, 0.1)], [held(FAMILIAR, 0.7), held(UNFAMILIAR, 0.2)]]
    usual = Thresholds(0.3, 0.6, 0.6, 0.6, 0.0)
    unfamiliar = choose_unfamiliar(folds, usual, 0.55)
    assert unfamiliar is not None and unfamiliar.below == 0.7  # the median: the two at 0.1 and 0.2 are below
    assert 0.65 < unfamiliar.thresholds.short <= 0.95  # only the sure candidates of unfamiliar articles
    assert (unfamiliar.thresholds.extend, unfamiliar.thresholds.filter) == (usual.extend, usual.filter)
    everything = [article for fold in folds for article in fold]
    plain = measure(everything, usual, filter_rules=True, add_spans=True)
    banded = measure(everything, usual, filter_rules=True, add_spans=True, unfamiliar=unfamiliar)
    assert plain.precision == pytest.approx(0.75) and banded.precision == pytest.approx(1.0)
    assert banded.recall == pytest.approx(1.0)  # what the stricter thresholds drop was never labelled


def test_without_measured_familiarity_there_are_no_thresholds_for_unfamiliar_articles() -> None:
    folds = [[held(FAMILIAR, 1.0)], [held(UNFAMILIAR, 1.0)]]  # the default: not measured
    assert choose_unfamiliar(folds, Thresholds(), 0.55) is None


def banded_model(strict: float) -> LearnedModel:
    """A model that marks "zorbic", with span thresholds of ``strict`` for articles unlike BRIDGE."""
    lenient = Thresholds(0.4, 0.5, 0.5, 0.5, 0.0)
    return LearnedModel({"w=zorbic": 4.0, "b": -2.0}, {"OO": 0.5, "OI": -0.2, "IO": -0.1, "II": 0.7}, lenient,
                        {"trained_on": {"articles": 3}}, Unfamiliar(0.3, Thresholds(0.4, strict, strict, strict, 0.0)),
                        profile_of(BRIDGE))


def test_a_scan_applies_the_stricter_thresholds_only_to_an_unfamiliar_article(tmp_path: Path) -> None:
    save_model(banded_model(strict=1.0), tmp_path / "m.fcm")  # no mean probability reaches 1.0
    familiar = tmp_path / "familiar.txt"
    familiar.write_text("Bridge news\n\nThe council said the river bridge repairs were zorbic before the market "
                        "reopened.\n", encoding="utf-8")
    unfamiliar = tmp_path / "unfamiliar.txt"
    unfamiliar.write_text("Concert news\n\nThe orchestra said the symphony rehearsal was zorbic by candlelight.\n",
                          encoding="utf-8")
    result = run("scan", "--model", str(tmp_path / "m.fcm"), "--model-mode", "add", "--format", "json",
                 "--fail-on", "never", str(familiar), str(unfamiliar))
    assert result.exit_code == 0, result.stderr
    learned = {Path(article["source"]).name: [f["excerpt"] for f in article["findings"]
                                             if f["rule_id"] == "learned-span"]
               for article in json.loads(result.stdout)["articles"]}
    assert learned == {"familiar.txt": ["zorbic"], "unfamiliar.txt": []}


def test_a_model_file_keeps_the_thresholds_for_unfamiliar_articles_and_their_profile(tmp_path: Path) -> None:
    save_model(banded_model(strict=0.9), tmp_path / "m.fcm")
    loaded = load_model(tmp_path / "m.fcm")
    assert loaded.unfamiliar == Unfamiliar(0.3, Thresholds(0.4, 0.9, 0.9, 0.9, 0.0))
    assert loaded.familiarity is not None and loaded.familiarity.of(words(BRIDGE[2])) == pytest.approx(
        profile_of(BRIDGE).of(words(BRIDGE[2])), abs=1e-4)
    assert loaded.thresholds_for(words(BRIDGE[2])) == loaded.thresholds
    assert loaded.thresholds_for(words(ORCHESTRA)) == loaded.unfamiliar.thresholds
    save_model(banded_model(strict=0.9), tmp_path / "again.fcm")
    assert (tmp_path / "again.fcm").read_bytes() == (tmp_path / "m.fcm").read_bytes()


def rewrite(source: Path, target: Path, **members: str | None) -> None:
    """A copy of a model file with some members replaced (or, given None, left out)."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for name in archive.namelist():
            if name not in members:
                out.writestr(name, archive.read(name))
        for name, content in members.items():
            if content is not None:
                out.writestr(name, content)


@pytest.mark.parametrize("change, says", [
    ({FAMILIARITY_NAME: None}, f"not a framecheck model file (no {FAMILIARITY_NAME} inside)"),
    ({FAMILIARITY_NAME: '{"idf": {"river": "high"}, "postings": {}}'},
     f"corrupt model file ({FAMILIARITY_NAME}: the familiarity profile holds 'high' where a number belongs)"),
    ({"unfamiliar": {"below": 2, "thresholds": {}}},
     "corrupt model file (unfamiliar must give 'below', 0 to 1, and 'thresholds')"),
    ({"unfamiliar": {"below": 0.3, "thresholds": {"short": 0.9}}},
     "corrupt model file (unfamiliar thresholds must be extend, filter, long, medium, short, each 0 to 1)"),
])
def test_a_broken_familiarity_part_is_one_error_line(tmp_path: Path, change: dict, says: str) -> None:
    save_model(banded_model(strict=0.9), tmp_path / "m.fcm")
    members = {name: value for name, value in change.items() if name != "unfamiliar"}
    if "unfamiliar" in change:
        with zipfile.ZipFile(tmp_path / "m.fcm") as archive:
            meta = json.loads(archive.read(META_NAME))
        meta["unfamiliar"] = change["unfamiliar"]
        members[META_NAME] = json.dumps(meta)
    rewrite(tmp_path / "m.fcm", tmp_path / "bad.fcm", **members)
    article = tmp_path / "a.txt"
    article.write_text("The zorbic bridge.\n", encoding="utf-8")
    result = run("scan", "--model", str(tmp_path / "bad.fcm"), str(article))
    assert result.exit_code == 2
    assert result.stderr == f"framecheck: error: {tmp_path / 'bad.fcm'}: {says}\n"


def test_train_with_familiarity_writes_the_thresholds_and_says_them(tmp_path: Path) -> None:
    articles, labels = write_corpus(tmp_path)
    result = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(tmp_path / "m.fcm"),
                 "--familiarity", "--max-iterations", "40")
    assert result.exit_code == 0, result.stderr
    model = load_model(tmp_path / "m.fcm")
    assert model.unfamiliar is not None and model.familiarity is not None
    assert model.meta["settings"]["familiarity"] is True
    assert (model.unfamiliar.thresholds.extend, model.unfamiliar.thresholds.filter) == (
        model.thresholds.extend, model.thresholds.filter)
    assert f"articles less familiar than {model.unfamiliar.below:.2f} to the training articles" in result.stderr
    evaluation = run("eval", "--articles", str(articles), "--labels", str(labels), "--model", str(tmp_path / "m.fcm"),
                     "--json", str(tmp_path / "e.json"))
    assert evaluation.exit_code == 0, evaluation.stderr
    assert "articles less familiar than" in evaluation.stdout
    stored = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["model"]["unfamiliar"]
    assert stored["below"] == model.unfamiliar.below and stored["usual"]["extend"] == model.thresholds.extend
    plain = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(tmp_path / "p.fcm"),
                "--max-iterations", "40")
    assert plain.exit_code == 0 and load_model(tmp_path / "p.fcm").unfamiliar is None
    with zipfile.ZipFile(tmp_path / "p.fcm") as archive:
        assert FAMILIARITY_NAME not in archive.namelist()  # a model without them is the file it always was


def test_eval_shows_the_learned_spans_on_either_side_of_the_line(tmp_path: Path) -> None:
    save_model(banded_model(strict=1.0), tmp_path / "m.fcm")
    articles = tmp_path / "articles"
    articles.mkdir()
    texts = {1: "Bridge news\n\nThe council said the river bridge repairs were zorbic before the market reopened.\n",
             2: "Concert news\n\nThe orchestra said the symphony rehearsal was zorbic by candlelight.\n"}
    rows = []
    for number, text in texts.items():
        (articles / f"article{number}.txt").write_text(text, encoding="utf-8")
        start = text.index("zorbic")
        rows.append(f"{number}\tLoaded_Language\t{start}\t{start + len('zorbic')}")
    (tmp_path / "labels.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("eval", "--articles", str(articles), "--labels", str(tmp_path / "labels.tsv"),
                 "--model", str(tmp_path / "m.fcm"), "--json", str(tmp_path / "e.json"))
    assert result.exit_code == 0, result.stderr
    stored = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["model"]["learned_spans_by_familiarity"]
    assert stored == [{"less_familiar": True, "articles": 1, "learned_spans": 0, "precision": None},
                      {"less_familiar": False, "articles": 1, "learned_spans": 1, "precision": 1.0}]
    assert "learned spans here in the less familiar articles: 1 articles, 0 spans, precision -" in result.stdout
    assert "learned spans here in the more familiar articles: 1 articles, 1 spans, precision 1.000" in result.stdout
