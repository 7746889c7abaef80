"""The learned layer: features, exact marginals, model files, ``train``, ``scan --model``, ``eval --model``.

Training runs on a small synthetic corpus made here, where propaganda is marked by invented
words no shipped pack knows ("zorbic", "flarnish"), so what the model learns is known.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import math
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pycrfsuite  # the test extra installs the learn extra: training is tested, never skipped
import pytest
from helpers import peak_rss_kib, run, write_corpus, write_rule_pack

from framecheck.core.model import Finding, Severity
from framecheck.learn.features import (
    FEATURE_VERSION,
    IS_SPACE,
    MAX_TOKENS,
    SPACE_LIMIT,
    Cue,
    DocumentTokens,
    _sentence_tokens,
    document_blocks,
    gold_labels,
    sequence_features,
    training_item,
    word_features,
)
from framecheck.learn.learned import LearnedModel, Thresholds, decode, describe_feature, finding_probability
from framecheck.learn.model_file import load_model, save_model
from framecheck.learn.tagging import Chains, WeightTables, forward_backward
from framecheck.learn.training import model_from_crfsuite


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def trained(corpus: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained with an extra rule that flags the neutral word "plain" (never labelled)."""
    folder = tmp_path_factory.mktemp("model")
    pack = write_rule_pack(folder / "plain.yaml", "plain-word", "[plain]", technique="loaded-language")
    articles, labels = corpus
    result = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(folder / "m.fcm"),
                 "--rules", str(pack), "--max-iterations", "60")
    assert result.exit_code == 0, result.stderr
    assert "held out, both" in result.stderr
    return folder / "m.fcm"


# --------------------------------------------------------------------------------------
# Features and decoding
# --------------------------------------------------------------------------------------


def test_features_name_the_word_its_neighbours_and_the_findings_on_and_near_it() -> None:
    text = "The brutal regime fell today."
    tokens = [(0, 3), (4, 10), (11, 17), (18, 22), (23, 28), (28, 29)]
    cues = [Cue(4, 10, "loaded-brutal", "loaded-language", ("negated",))]
    features = sequence_features(text, tokens, cues, ["!"], quotes=[(11, 22)])
    brutal, regime, period = set(features[1]), set(features[2]), set(features[5])
    assert {"w=brutal", "w-1=the", "w+1=regime", "b-=the|brutal", "r=loaded-brutal", "t=loaded-language",
            "c=negated", "in", "!", "st=loaded-language", "p=1"} <= brutal
    assert {"nt=loaded-language", "q", "w-2=the", "s3=ime"} <= regime and "in" not in regime
    assert {"w+1=>", "w+2=>", "e=0", "sh=P"} <= period and "q" not in period


def test_words_are_split_with_their_offsets_even_in_an_enormous_sentence() -> None:
    text = "It’s a re-run, isn't it? Café\u0301 50%"
    spans, words = words_of(text, 0, len(text))
    assert words == ["It’s", "a", "re", "-", "run", ",", "isn't", "it", "?", "Café\u0301", "50", "%"]
    assert [text[start:end] for start, end in spans] == words
    huge = "ab cd " * 10_000 + "x" * 50_000 + " end"
    spans, words = words_of(huge, 0, len(huge))
    assert [huge[start:end] for start, end in spans] == words and words[-1] == "end"
    assert max(end - start for start, end in spans) <= 20_000  # no single piece grows with the input


def test_the_white_space_table_is_pythons_own() -> None:
    # token offsets count the characters that are not white space: the table must agree with \\s
    assert [code for code in range(sys.maxunicode + 1) if chr(code).isspace()][-1] < SPACE_LIMIT
    assert IS_SPACE.tolist() == [chr(code).isspace() for code in range(SPACE_LIMIT)] + [False]
    assert all(bool(re.fullmatch(r"\s", chr(code))) == chr(code).isspace() for code in range(SPACE_LIMIT))
    text = "a\u3000b\u00a0c\u2028d\u200be\ud800f"  # ideographic, no-break, line separator; zero width; a lone surrogate
    spans, words = words_of(text, 0, len(text))
    assert words == ["a", "b", "c", "d", "\u200b", "e", "\ud800", "f"] and [text[s:e] for s, e in spans] == words


def test_cyrillic_words_also_say_how_they_begin_as_their_endings_change() -> None:
    assert word_features("рашистів") == ("рашистів", "w=рашистів", ("sh=low", "s3=тів", "pre=рашис"))
    assert "pre=рашис" in word_features("Рашистам")[2]  # another case, capitalised: the same beginning
    assert not any(name.startswith("pre=") for name in word_features("terrorists")[2] + word_features("фейк")[2])
    assert describe_feature("pre=рашис") == 'a word beginning "рашис"'


def test_sentences_are_flagged_for_exclamations_questions_and_emoji() -> None:
    from framecheck.inputs.readers import text_document

    text = "They came at night ‼️ Burn them all 🔥! Who sent them? A calm day ☀ here. A calm day."
    tokens = _only_block(text_document("flags.txt", text), [])
    flags = {" ".join(sequence.words): sequence.flags for sequence in tokens.sequences}
    assert flags == {"They came at night ‼ ️ Burn them all 🔥 !": ("!", "emo"), "Who sent them ?": ("?",),
                     "A calm day ☀ here .": ("emo",), "A calm day .": ()}
    assert describe_feature("emo") == "an emoji in the sentence"


def test_a_model_of_the_previous_feature_version_still_loads(tmp_path: Path) -> None:
    # version 2 only added features, which a version 1 model has no weight for: it scores as it was trained
    model = load_model(_zip(tmp_path / "v1.fcm", {"framecheck-model.json": _meta(feature_version=1),
                                                  "weights.json": '{"w=zorbic": 2.5}'}))
    assert model.weights == {"w=zorbic": 2.5}


def test_gold_labels_mark_every_token_that_overlaps_a_span() -> None:
    tokens = [(0, 3), (4, 10), (11, 17), (18, 22)]
    assert gold_labels(tokens, [(5, 12)]) == ["O", "I", "I", "O"]
    assert gold_labels(tokens, []) == ["O"] * 4


def words_of(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], list[str]]:
    """The tokens of ``text[start:end]`` split on their own: (start, end) of each, and its spelling."""
    starts, ends, words, _ = _sentence_tokens(text, [(start, end)])
    return list(zip(starts, ends)), list(words)


def _only_block(document, findings) -> DocumentTokens:  # noqa: ANN001
    """The one block of tokens of a document of ordinary size."""
    blocks = list(document_blocks(document, findings))
    assert len(blocks) == 1
    return blocks[0]


def _emissions(tables: WeightTables, tokens: DocumentTokens) -> np.ndarray:
    return tables.emissions(tokens, Chains.of(tokens.bounds))


def _string_emissions(model: LearnedModel, features) -> np.ndarray:  # noqa: ANN001
    """Each token's score as the sum of its feature strings' weights: what the tables must give."""
    return np.array([sum(model.weights.get(name, 0.0) for name in token) for token in features], np.float64)


def _string_marginals(model: LearnedModel, features) -> np.ndarray:  # noqa: ANN001
    """The marginals of one sequence scored from its feature strings."""
    return forward_backward(_string_emissions(model, features), Chains.of((0, len(features))), model.transitions)


def _document_tokens(text: str, lengths: list[int]) -> DocumentTokens:
    """One-character tokens at every other character of ``text``, in sequences of these lengths."""
    starts = list(range(0, len(text), 2))
    bounds = [0, *itertools.accumulate(lengths)]
    assert bounds[-1] == len(starts)
    count = len(lengths)
    return DocumentTokens(text, starts, [start + 1 for start in starts], tuple(text[0::2]), bounds, ((),) * count,
                          ((),) * count, ((),) * count)


def test_decode_trims_punctuation_and_judges_runs_by_their_length() -> None:
    text = "a , b c d e f g h i j"
    tokens = _document_tokens(text, [11])
    marginals = np.array([0.9, 0.9, 0.2] + [0.8] * 8)
    spans = decode(tokens, marginals, Thresholds(extend=0.5, short=0.6, medium=0.7, long=0.85))
    # "," trimmed; the run of eight at 0.8 is below the long threshold 0.85
    assert [(text[s.start:s.end], round(s.probability, 2)) for s in spans] == [("a", 0.9)]
    spans = decode(tokens, marginals, Thresholds(extend=0.5, short=0.6, medium=0.7, long=0.75))
    assert [text[s.start:s.end] for s in spans] == ["a", "c d e f g h i j"]
    assert [(s.sequence, s.tokens) for s in spans] == [(0, (0, 0)), (0, (3, 10))]


def test_a_learned_span_never_runs_from_one_sentence_into_the_next() -> None:
    text = "a b c d e f"
    tokens = _document_tokens(text, [2, 3, 1])
    spans = decode(tokens, np.array([0.1, 0.9, 0.9, 0.9, 0.2, 0.9]), Thresholds(0.5, 0.5, 0.5, 0.5))
    assert [(text[s.start:s.end], s.sequence, s.tokens) for s in spans] == [
        ("b", 0, (1, 1)), ("c d", 1, (0, 1)), ("f", 2, (0, 0))]


def test_a_finding_is_judged_by_the_tokens_it_covers_in_the_sentence_it_starts_in() -> None:
    text = "a b c d e f"
    tokens = _document_tokens(text, [3, 3])
    marginals = np.array([0.1, 0.2, 0.3, 0.9, 0.7, 0.5])
    finding = Finding("r", "loaded-language", Severity.WARNING, "m", 2, 7, "b c d", 1, 3)  # two tokens here, one next
    assert finding_probability(finding, tokens, marginals) == pytest.approx(0.25)
    assert finding_probability(dataclasses.replace(finding, start=5, end=6), tokens, marginals) is None  # a space
    assert finding_probability(dataclasses.replace(finding, start=6, end=11), tokens, marginals) == pytest.approx(0.7)


def test_features_are_described_in_words() -> None:
    assert describe_feature("w-1=the") == 'after "the"'
    assert describe_feature("b+=witch|hunt") == 'the words "witch hunt"'
    assert describe_feature("t=loaded-language") == "a loaded-language finding"
    assert describe_feature("q") == "inside a quotation"


# --------------------------------------------------------------------------------------
# Marginals: exactly CRFsuite's
# --------------------------------------------------------------------------------------


def test_marginals_equal_crfsuites_own(tmp_path: Path) -> None:
    rng = random.Random(3)
    vocabulary = [f"f{index}" for index in range(30)]
    trainer = pycrfsuite.Trainer(verbose=False)
    for _ in range(80):
        length = rng.randint(1, 12)
        sequence = [rng.sample(vocabulary, 4) for _ in range(length)]
        labels = ["I" if "f1" in feats or "f2" in feats else "O" for feats in sequence]
        trainer.append(sequence, labels)
    trainer.set_params({"c1": 0.0, "c2": 0.1, "max_iterations": 50, "feature.possible_transitions": True})
    trainer.train(str(tmp_path / "crf.bin"))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(tmp_path / "crf.bin"))
    info = tagger.info()
    model = model_from_crfsuite(info.state_features, info.transitions)
    for _ in range(20):
        sequence = [rng.sample(vocabulary, 5) for _ in range(rng.randint(1, 40))]
        tagger.set(sequence)
        expected = [tagger.marginal("I", index) for index in range(len(sequence))]
        # weights are read back to 6 places
        assert _string_marginals(model, sequence) == pytest.approx(expected, abs=1e-6)


def test_a_model_trained_with_word_features_weighed_down_scans_as_crfsuite_tags_with_those_values(
        tmp_path: Path) -> None:
    """Training gives the features naming words a value below 1; the model keeps weight times
    value, so a scan (every feature 1) gives CRFsuite's own marginals for the valued features."""
    rng = random.Random(5)
    vocabulary = [f"{prefix}{index}" for index in range(12) for prefix in ("w=", "w-1=", "b+=x|", "sh=", "r=")]
    trainer = pycrfsuite.Trainer(verbose=False)
    for _ in range(80):
        sequence = [rng.sample(vocabulary, 5) + ["in", "in"] * rng.randint(0, 1) for _ in range(rng.randint(1, 12))]
        labels = ["I" if "w=1" in feats or "r=2" in feats or "in" in feats else "O" for feats in sequence]
        trainer.append([training_item(feats, 0.4) for feats in sequence], labels)
    trainer.set_params({"c1": 0.05, "c2": 0.1, "max_iterations": 50, "feature.possible_transitions": True})
    trainer.train(str(tmp_path / "crf.bin"))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(tmp_path / "crf.bin"))
    info = tagger.info()
    model = model_from_crfsuite(info.state_features, info.transitions, 0.4)
    assert model.weights["w=1"] == pytest.approx(0.4 * (info.state_features[("w=1", "I")]
                                                      - info.state_features.get(("w=1", "O"), 0.0)))
    for _ in range(20):
        sequence = [rng.sample(vocabulary, 6) + ["in"] * rng.randint(0, 2) for _ in range(rng.randint(1, 30))]
        tagger.set(pycrfsuite.ItemSequence([training_item(feats, 0.4) for feats in sequence]))
        expected = [tagger.marginal("I", index) for index in range(len(sequence))]
        assert _string_marginals(model, sequence) == pytest.approx(expected, abs=1e-6)


def test_training_weighs_down_only_the_features_that_name_words() -> None:
    features = ("b", "w=riot", "w-1=a", "b-=a|riot", "s3=iot", "sh=low", "in", "in", "r=x")
    assert training_item(features, 0.5) == {"b": 1.0, "w=riot": 0.5, "w-1=a": 0.5, "b-=a|riot": 0.5, "s3=iot": 1.0,
                                            "sh=low": 1.0, "in": 2.0, "r=x": 1.0}
    assert training_item(features, 1.0) == list(features)  # the names as they always were: the same model, bit for bit


def test_a_scan_scores_tokens_from_the_tables_exactly_as_the_feature_strings_say(trained: Path) -> None:
    from helpers import SEED, make_engine

    from framecheck.inputs.readers import text_document

    trained_model = load_model(trained)  # its tables are laid out as loaded: a model with more weights is new
    model = LearnedModel({**trained_model.weights, "q": 0.7, "in": 0.3, "t=loaded-language": 1.1,
                          "nt=distrust-call": -0.4, "!": 0.2, "st=loaded-language": 0.5, "c=negated": -0.6,
                          "p=0": 0.1, "e=4": 0.05,
                          # pairs and neighbours at a sentence's ends, and of the one-character token "|"
                          "b+=left||": 0.25, "b-=||right": -0.3, "b-=|||": 0.45, "b+=<|left": 0.15, "b-=<|left": 0.05,
                          "w-1=|": 0.35, "w+1=>": 0.2, "w-2=<": -0.15, "b+=.|>": 0.1},
                         trained_model.transitions, trained_model.thresholds, trained_model.meta)
    engine = make_engine()
    text = (SEED.read_text(encoding="utf-8") + '\n"This brutal regime is no massacre," Smith said. It was not brutal!\n'
            "\nLeft | right || end.\n" + "A sentence of many words, " * 60 + "longer than a window.\n")
    document = text_document("seed.txt", text)
    findings = engine.scan(document).findings
    tokens = _only_block(document, findings)
    sequences = tokens.sequences
    assert sum(bool(s.cues) for s in sequences) >= 5 and sum(bool(s.quotes) for s in sequences) >= 1
    assert max(len(s.tokens) for s in sequences) == MAX_TOKENS  # the long sentence comes in windows
    fresh = _only_block(document, findings).sequences  # features_of before features are cached
    assert [s.features_of(0, len(s.tokens) - 1) for s in fresh] == [s.features for s in sequences]
    emissions, marginals = _emissions(model.tables, tokens), model.document_marginals(tokens)
    for index, sequence in enumerate(sequences):
        window = (len(sequence.tokens) // 3, len(sequence.tokens) - 1)
        assert sequence.features_of(*window) == sequence.features[window[0] : window[1] + 1]  # an explanation's
        first, following = tokens.bounds[index], tokens.bounds[index + 1]
        assert emissions[first:following] == pytest.approx(_string_emissions(model, sequence.features), abs=1e-9)
        assert marginals[first:following] == pytest.approx(_string_marginals(model, sequence.features), abs=1e-12)


def test_a_full_table_of_spellings_starts_afresh_and_scores_the_same(trained: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from framecheck.inputs.readers import text_document
    from framecheck.learn import tagging

    model = load_model(trained)
    documents = [text_document(f"{n}.txt", " ".join(f"word{n}x{k} zorbic" for k in range(12)) + ".") for n in range(3)]
    expected = [_emissions(WeightTables(model.weights), _only_block(d, [])) for d in documents]
    monkeypatch.setattr(tagging, "MAX_CACHED_WORDS", 20)  # each document brings 13 new spellings
    tables = WeightTables(model.weights)
    for document, scores in zip(documents * 2, expected * 2):
        assert _emissions(tables, _only_block(document, [])) == pytest.approx(scores, abs=1e-12)
        assert len(tables.rows) <= 20
    monkeypatch.setattr(tagging, "MAX_CACHED_WORDS", 5)  # fewer than one document holds: it is taken whole
    assert _emissions(WeightTables(model.weights), _only_block(documents[0], [])) == pytest.approx(expected[0])


def test_a_long_document_is_tagged_in_blocks_that_hold_every_sentence_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from framecheck.inputs.readers import text_document
    from framecheck.learn import features

    sentence = "The regime lied again and again. "
    document = text_document("long.txt", sentence * 400 + "x" * 800 + " " + "word " * 900 + "end.")
    whole = [(block.starts, block.words) for block in document_blocks(document, [])]
    monkeypatch.setattr(features, "BLOCK_CHARACTERS", 1000)
    blocks = list(document_blocks(document, []))
    assert len(blocks) > 10 and all(block.ends[-1] - block.starts[0] <= 1000 for block in blocks)
    assert [start for block in blocks for start in block.starts] == [start for starts, _ in whole for start in starts]
    # sentences stay whole where they fit (a block ends with one); the 5,300-character last one is cut at white space
    assert all(block.text[block.starts[0] - 1] == " " for block in blocks[1:])
    last_sentence = len(sentence) * 399  # the 400th runs on into the x's and words: no capital after its stop
    before = [block.words[-1] for block in blocks if block.ends[-1] <= last_sentence]
    assert len(before) > 5 and set(before) == {"."}


def test_a_long_article_is_scanned_with_a_model_in_bounded_memory(trained: Path, tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    plain = "The committee met on Tuesday to discuss the budget for the coming year in the town hall. "
    article.write_text(plain * 45_000, encoding="utf-8")  # 4 MB (a story of findings would measure its report)
    code, stdout, peak_kib = peak_rss_kib([sys.executable, "-m", "framecheck", "scan", "--jobs", "1", "--model",
                                           str(trained), "--format", "json", str(article)])
    assert code == 0 and json.loads(stdout)["articles"][0]["words"] == 765_000
    # tagged a block of sentences at a time (about 90 MiB; a rules-only scan 40): all 4 MB at once took 400
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib // 1024} MiB"


def test_sentences_split_together_give_the_tokens_each_gives_alone() -> None:
    text = "One sentence here.  Another one, don't stop.\n\nA third — with a dash. snake_case too."
    sentences = [(0, 18), (20, 44), (46, 68), (69, 84)]
    cut_inside_words = [(0, 10), (10, 18), (20, 31), (31, 44)]  # no splitter should, but tokens must survive it
    assert text[69:84] == "snake_case too." and text[0:10] == "One senten"
    for spans in (sentences, cut_inside_words):
        alone = [words_of(text, start, end) for start, end in spans]
        starts, ends, words, counts = _sentence_tokens(text, spans)
        assert counts == [len(found) for found, _ in alone]
        assert list(zip(starts, ends)) == [span for found, _ in alone for span in found]
        assert list(words) == [word for _, spelled in alone for word in spelled]


def test_forward_backward_survives_extreme_scores_and_long_chains() -> None:
    transitions = {"OO": 0.0, "OI": 0.0, "IO": 0.0, "II": 0.0}
    probabilities = forward_backward(np.array([1e6, -1e6] * 5000), Chains.of([0, 10_000]), transitions)
    assert probabilities[0] == pytest.approx(1.0) and probabilities[1] == pytest.approx(0.0)
    assert len(forward_backward(np.zeros(0), Chains.of([0]), {})) == 0


def test_chains_tagged_together_are_tagged_as_each_alone() -> None:
    rng = random.Random(5)
    transitions = {"OO": 0.4, "OI": -1.2, "IO": -0.7, "II": 1.5}
    lengths = [rng.randint(1, 9) for _ in range(12)] + [rng.randint(10, 90) for _ in range(12)]
    rng.shuffle(lengths)
    scores = np.array([rng.uniform(-4, 4) for _ in range(sum(lengths))])
    bounds = [0, *itertools.accumulate(lengths)]
    together = forward_backward(scores, Chains.of(bounds), transitions)
    for first, following in zip(bounds, bounds[1:]):
        alone = forward_backward(scores[first:following], Chains.of([0, following - first]), transitions)
        assert together[first:following] == pytest.approx(alone, abs=1e-12)
        if following - first < 10:
            by_hand = _forward_backward_by_hand(scores[first:following], transitions)
            assert together[first:following] == pytest.approx(by_hand, abs=1e-12)


def _forward_backward_by_hand(scores: np.ndarray, transitions: dict[str, float]) -> list[float]:
    """The marginals by summing over every labelling of a short chain: what the doubling must equal."""
    length = len(scores)
    inside = [0.0] * length
    total = 0.0
    for labels in itertools.product((0, 1), repeat=length):
        weight = sum(score for score, label in zip(scores, labels) if label)
        weight += sum(transitions["OI"[a] + "OI"[b]] for a, b in zip(labels, labels[1:]))
        probability = math.exp(weight)
        total += probability
        for index, label in enumerate(labels):
            inside[index] += probability * label
    return [value / total for value in inside]


# --------------------------------------------------------------------------------------
# Model files
# --------------------------------------------------------------------------------------


def _model() -> LearnedModel:
    return LearnedModel({"w=zorbic": 2.5, "b": -1.0}, {"OO": 0.5, "OI": -0.2, "IO": -0.1, "II": 0.7},
                        Thresholds(0.4, 0.5, 0.6, 0.9, 0.2), {"trained_on": {"articles": 3}})


def test_a_saved_model_loads_as_it_was_and_the_same_model_writes_the_same_bytes(tmp_path: Path) -> None:
    save_model(_model(), tmp_path / "a.fcm")
    save_model(_model(), tmp_path / "b.fcm")
    assert (tmp_path / "a.fcm").read_bytes() == (tmp_path / "b.fcm").read_bytes()
    loaded = load_model(tmp_path / "a.fcm")
    assert loaded.weights == _model().weights and loaded.transitions == _model().transitions
    assert loaded.thresholds == _model().thresholds and loaded.meta["trained_on"] == {"articles": 3}


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _meta(**changes: object) -> str:
    meta = {"format": "framecheck-model", "format_version": 1, "feature_version": 1,
            "thresholds": {"extend": 0.5, "short": 0.5, "medium": 0.7, "long": 0.9, "filter": 0.1},
            "transitions": {"OO": 0, "OI": 0, "IO": 0, "II": 0}}
    meta.update(changes)
    return json.dumps(meta)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_bytes(b"not a zip at all"), "not a framecheck model file"),
        (lambda p: p.write_bytes(b""), "not a framecheck model file"),
        (lambda p: _zip(p, {"other.txt": "x"}), "no framecheck-model.json inside"),
        (lambda p: _zip(p, {"framecheck-model.json": "{", "weights.json": "{}"}), "corrupt model file"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(feature_version=99), "weights.json": "{}"}),
         "train it again"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(), "weights.json": '{"b": NaN}'}), "corrupt model file"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(), "weights.json": '{"b": "x"}'}), "weights must map"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(transitions={"OO": 1}), "weights.json": "{}"}),
         "transitions"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(thresholds={"extend": 2}), "weights.json": "{}"}),
         "thresholds"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(article_score={"technique": {"loaded-language": -1}}),
                            "weights.json": "{}"}), "article_score.technique"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(article_score={"technique": {"made-up": 1}}),
                            "weights.json": "{}"}), "article_score.technique"),
        (lambda p: _zip(p, {"framecheck-model.json": _meta(reliability=[{"low": 0.5, "high": 2, "precision": 1}]),
                            "weights.json": "{}"}), "reliability"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "model file not found"),
    ],
)
def test_a_wrong_or_corrupt_model_file_is_one_clear_error_and_exit_2(tmp_path: Path, make, says: str) -> None:
    model = tmp_path / "bad.fcm"
    make(model)
    article = tmp_path / "a.txt"
    article.write_text("The brutal regime fell.\n", encoding="utf-8")
    result = run("scan", "--model", str(model), str(article))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"framecheck: error: {model}: ") and says in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("blocked, command, says", [
    ("numpy", "scan", "scanning with a model ({model}) needs numpy: pip install 'framecheck[learn]'"),
    ("pycrfsuite", "train", "training needs python-crfsuite: pip install 'framecheck[learn]'"),
    ("numpy", "train", "training needs numpy: pip install 'framecheck[learn]'"),
])
def test_a_missing_learn_extra_is_one_clear_error(trained: Path, corpus: tuple[Path, Path], tmp_path: Path,
                                                  blocked: str, command: str, says: str) -> None:
    articles, labels = corpus
    args = (["scan", "--model", str(trained), str(next(articles.iterdir()))] if command == "scan" else
            ["train", "--articles", str(articles), "--labels", str(labels), "-o", str(tmp_path / "m.fcm")])
    # the package cannot be imported, as where the extra was never installed
    script = f"import sys; sys.modules[{blocked!r}] = None; from framecheck.cli.main import main; main({args!r})"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == f"framecheck: error: {says.format(model=trained)}\n"
    assert not (tmp_path / "m.fcm").exists()


# --------------------------------------------------------------------------------------
# Training, scanning and evaluating with a model
# --------------------------------------------------------------------------------------


def test_train_writes_a_small_model_with_its_thresholds_and_held_out_figures(trained: Path) -> None:
    assert trained.stat().st_size < 5_000_000
    model = load_model(trained)
    figures = model.meta["held_out_figures"]
    assert set(figures) == {"rules", "filter", "add", "both"}
    assert figures["add"]["f1"] > figures["rules"]["f1"]  # the invented words are learnt
    assert figures["both"]["precision"] >= 0.55 and model.meta["target_precision_reached"] is True
    assert model.thresholds.filter > 0  # the never-labelled "plain" rule is worth filtering
    assert model.meta["trained_on"]["folds"] == 5 and model.meta["feature_version"] == FEATURE_VERSION
    assert any(name.startswith("w=zorbic") or name.startswith("w=flarnish") for name in model.weights)


def test_a_model_records_the_split_and_the_value_of_word_features_it_was_trained_with(
        trained: Path, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    articles, labels = corpus
    usual = load_model(trained).meta
    assert (usual["settings"]["seed"], usual["settings"]["word_value"]) == (0, 1.0)
    result = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(tmp_path / "m.fcm"),
                 "--max-iterations", "60", "--seed", "3", "--word-value", "0.5")
    assert result.exit_code == 0, result.stderr
    other = load_model(tmp_path / "m.fcm").meta
    assert (other["settings"]["seed"], other["settings"]["word_value"]) == (3, 0.5)
    folds = [[row["gold_spans"] for row in meta["expected_out_of_fold"]["both"]["per_fold"]] for meta in (usual, other)]
    assert folds[0] != folds[1] and sum(folds[0]) == sum(folds[1])  # other folds; every article held out once
    refused = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(tmp_path / "n.fcm"),
                  "--word-value", "0")
    assert refused.exit_code == 2 and "--word-value" in refused.stderr and not (tmp_path / "n.fcm").exists()


def test_scan_with_a_model_adds_learned_spans_with_their_probability_and_reasons(trained: Path, tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    text = ("Town news\n\nThe council approved the old budget on Monday.\n"
            "The market reviewed the grulent bridge again.\n")
    article.write_text(text, encoding="utf-8")
    result = run("scan", "--format", "json", "--model", str(trained), "--model-mode", "add", str(article))
    findings = json.loads(result.stdout)["articles"][0]["findings"]
    learned = [f for f in findings if f["rule_id"] == "learned-span"]
    assert [f["excerpt"] for f in learned] == ["grulent bridge"]
    assert text[learned[0]["start"]:learned[0]["end"]] == "grulent bridge"
    assert learned[0]["technique"] == "learned-framing" and learned[0]["severity"] == "info"
    assert '"grulent" +' in learned[0]["message"] and "strongest features" in learned[0]["message"]
    # what spans of that probability were worth on the held-out folds, from the model's reliability curve
    probability = float(re.search(r"p=(\d\.\d\d)", learned[0]["message"]).group(1))
    worth = load_model(trained).held_out_precision(probability)
    assert worth is not None and f"; {worth:.0%} of such spans were labelled in held-out training articles" in \
        learned[0]["message"]
    assert result.exit_code == 0  # an info-level guess does not fail the check
    assert "any word" not in learned[0]["message"]  # the bias explains nothing
    plain = run("scan", "--format", "json", str(article))
    assert not [f for f in json.loads(plain.stdout)["articles"][0]["findings"] if f["rule_id"] == "learned-span"]
    # a rule that already points at those words: the model does not say it again
    pack = write_rule_pack(tmp_path / "bridge.yaml", "grulent-bridge", "[grulent bridge again]",
                           technique="loaded-language")
    ruled = run("scan", "--format", "json", "--model", str(trained), "--rules", str(pack), str(article))
    rules = [f["rule_id"] for f in json.loads(ruled.stdout)["articles"][0]["findings"]]
    assert rules == ["grulent-bridge"]


def test_filter_mode_drops_findings_the_model_scores_low_and_says_so(trained: Path, tmp_path: Path) -> None:
    pack = write_rule_pack(tmp_path / "plain.yaml", "plain-word", "[plain]", technique="loaded-language")
    article = tmp_path / "story.txt"
    article.write_text("Town news\n\nThe school studied the plain market on Monday.\n"
                       "It has been reported that the bridge closed.\n", encoding="utf-8")
    without = run("scan", "--format", "json", "--rules", str(pack), str(article))
    rules = ["plain-word", "unsourced-attribution"]
    assert [f["rule_id"] for f in json.loads(without.stdout)["articles"][0]["findings"]] == rules
    result = run("scan", "--format", "json", "--rules", str(pack), "--model", str(trained), "--model-mode", "filter",
                 str(article))
    report = json.loads(result.stdout)["articles"][0]
    # the corpus never labels unsourced attribution, so the model may not judge it
    assert [f["rule_id"] for f in report["findings"]] == ["unsourced-attribution"]
    assert any(w.startswith("learned-model: dropped plain-word at 3:24 'plain' (model probability ")
               for w in report["warnings"])
    text = run("scan", "--rules", str(pack), "--model", str(trained), "--model-mode", "filter", str(article))
    assert "learned-model: dropped plain-word" in text.stdout


def test_model_in_the_configuration_resolves_against_the_configuration_folder(trained: Path, tmp_path: Path) -> None:
    project = tmp_path / "newsroom"
    project.mkdir()
    (project / "models").mkdir()
    (project / "models" / "m.fcm").write_bytes(trained.read_bytes())
    (project / ".framecheck.yaml").write_text("model: models/m.fcm\nmodel-mode: add\n", encoding="utf-8")
    article = project / "story.txt"
    article.write_text("Town news\n\nThe market reviewed the zorbic bridge near the river.\n", encoding="utf-8")
    result = run("scan", "--format", "json", str(article))
    rules = [f["rule_id"] for f in json.loads(result.stdout)["articles"][0]["findings"]]
    assert rules == ["learned-span"]
    (project / ".framecheck.yaml").write_text("model: models/m.fcm\nmodel-mode: sometimes\n", encoding="utf-8")
    bad = run("scan", str(article))
    assert bad.exit_code == 2 and "model-mode" in bad.stderr and ".framecheck.yaml:2" in bad.stderr


def write_article_labels(labels: Path, path: Path) -> Path:
    """An id,label CSV for the 60 corpus articles: 1 for those with a labelled span."""
    gold_articles = {line.split("\t")[0] for line in labels.read_text(encoding="utf-8").splitlines()}
    path.write_text("id,label\n" + "".join(
        f"{number},{int(str(number) in gold_articles)}\n" for number in range(1, 61)), encoding="utf-8")
    return path


def test_eval_with_a_model_reports_every_mode_and_the_article_auc(
    trained: Path, corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    articles, labels = corpus
    article_labels = write_article_labels(labels, tmp_path / "articles.csv")
    out = tmp_path / "eval.json"
    result = run("eval", "--articles", str(articles), "--labels", str(labels), "--model", str(trained),
                 "--article-labels", str(article_labels), "--json", str(out))
    assert result.exit_code == 0, result.stderr
    assert "with the model, mode both" in result.stdout and "article score ROC AUC" in result.stdout
    payload = json.loads(out.read_text(encoding="utf-8"))
    modes = payload["model"]["modes"]
    assert set(modes) == {"filter", "add", "both"}
    assert modes["add"]["f1"] > payload["span_identification"]["f1"]
    assert payload["article_auc"]["rules"] == 0.5  # the shipped rules find nothing in this town news
    assert payload["article_auc"]["add"] > 0.9
    low, high = payload["article_auc_ci95"]["add"]
    assert low <= payload["article_auc"]["add"] <= high and high - low < 0.3
    assert re.search(r"add \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", result.stdout)  # the AUC and its 95% interval
    # what the model expected of itself when trained, and how its probabilities hold here
    assert "expected at the model's thresholds" in result.stdout and "mode both   P " in result.stdout
    expected = payload["model"]["expected_out_of_fold"]["both"]
    assert len(expected["per_fold"]) == 5 and 0 <= expected["precision"]["mean"] <= 1
    curve = payload["model"]["reliability"]
    assert curve and all(0 <= row["precision"] <= 1 and row["low"] <= row["mean_probability"] < row["high"] + 1e-9
                         for row in curve)
    assert sum(row["spans"] for row in curve) > 0 and "reliability: candidate spans" in result.stdout


def test_eval_says_when_the_rules_are_less_precise_than_in_the_models_training_folds(
        corpus: tuple[Path, Path], tmp_path: Path) -> None:
    """A model learns how far to trust each rule on its training articles, and its precision falls
    where the rules' does: eval says so when the rules fall short of their training folds."""
    articles, labels = corpus
    pack = write_rule_pack(tmp_path / "invented.yaml", "invented-word", "[zorbic, flarnish]",
                           technique="loaded-language")
    model = tmp_path / "m.fcm"
    trained = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(model), "--rules",
                  str(pack), "--max-iterations", "30")
    assert trained.exit_code == 0, trained.stderr
    texts = {path.stem[len("article"):]: path.read_text(encoding="utf-8") for path in articles.glob("article*.txt")}
    rows = [line.split("\t") for line in labels.read_text(encoding="utf-8").splitlines()]
    unlabelled = tmp_path / "no-flarnish.tsv"  # the same text, its "flarnish" phrases no longer labelled
    unlabelled.write_text("".join("\t".join(row) + "\n" for row in rows
                                  if not texts[row[0]][int(row[2]):].startswith("flarnish")), encoding="utf-8")
    assert 0 < len(unlabelled.read_text(encoding="utf-8").splitlines()) < len(rows)
    for gold, warned in ((labels, False), (unlabelled, True)):
        out = tmp_path / "eval.json"
        result = run("eval", "--articles", str(articles), "--labels", str(gold), "--model", str(model), "--rules",
                     str(pack), "--json", str(out))
        assert result.exit_code == 0, result.stderr
        drift = json.loads(out.read_text(encoding="utf-8"))["model"]["rules_precision"]
        assert drift["expected"] == 1.0 and drift["sd"] == 0.0  # the invented words are labelled wherever they stand
        assert drift["below_expected"] is warned and (drift["here"] < 0.8) is warned
        assert ("note: the rules alone are less precise here" in result.stdout) is warned
        if warned:
            assert f"({drift['here']:.3f}) than in the model's training folds (1.000 ± 0.000)" in result.stdout


def test_train_with_article_labels_fits_the_score_and_scans_use_it(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    articles, labels = corpus
    article_labels = write_article_labels(labels, tmp_path / "articles.csv")
    model_path = tmp_path / "scored.fcm"
    result = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(model_path),
                 "--max-iterations", "40", "--article-labels", str(article_labels))
    assert result.exit_code == 0, result.stderr
    assert re.search(r"article score ROC AUC on 60 labelled articles: fitted \d\.\d{3} \[", result.stderr)
    fitted = load_model(model_path).meta["article_score"]
    assert fitted["articles"] == 60 and fitted["auc_out_of_fold"]["auc"] > 0.9
    assert set(fitted["technique"]) == {"learned-framing"}  # the only technique these articles show
    # a scan with a model scores with its factors; the configuration's own factor wins
    model = load_model(model_path)
    model.meta["article_score"] = {**fitted, "technique": {"loaded-language": 3.0}}
    save_model(model, model_path)
    story = tmp_path / "story.txt"
    story.write_text("They terrorised the town.\n", encoding="utf-8")

    def total(*args: str) -> float:
        report = json.loads(run("scan", "--format", "json", "--model-mode", "add", *args, str(story)).stdout)
        return report["articles"][0]["score"]["total_weight"]

    assert total() == 1.5 and total("--model", str(model_path)) == 4.5
    (tmp_path / "own.yaml").write_text("scoring:\n  technique: {loaded-language: 2}\n", encoding="utf-8")
    assert total("--model", str(model_path), "--config", str(tmp_path / "own.yaml")) == 3.0


def test_a_model_records_its_rules_and_a_scan_with_other_rules_is_warned(trained: Path, tmp_path: Path) -> None:
    model = load_model(trained)
    assert "plain-word" in model.meta["rules"] and "unsourced-attribution" in model.meta["rules"]
    assert "bundled" in model.meta["packs"]
    article = tmp_path / "story.txt"
    article.write_text("The council approved the old budget on Monday.\n", encoding="utf-8")
    pack = trained.parent / "plain.yaml"
    same = run("scan", "--model", str(trained), "--rules", str(pack), str(article))
    assert same.exit_code == 0 and "trained with other rules" not in same.stderr
    without = run("scan", "--model", str(trained), str(article))
    assert without.exit_code == 0
    assert ("framecheck: warning: the model was trained with other rules: 1 of its "
            f"{len(model.meta['rules'])} rules do not run here (plain-word)") in without.stderr
    ignoring = run("scan", "--model", str(trained), "--rules", str(pack), "--ignore", "name-calling", str(article))
    # many ids missing: three named, the rest counted
    assert re.search(r"\d+ of its \d+ rules do not run here \([a-z0-9-]+, [a-z0-9-]+, [a-z0-9-]+ and \d+ more\)",
                     ignoring.stderr)


def test_worker_processes_report_exactly_what_one_process_does(trained: Path, corpus: tuple[Path, Path]) -> None:
    articles, _labels = corpus
    reports = [run("scan", "--format", "json", "--model", str(trained), "--jobs", jobs, str(articles)).stdout
               for jobs in ("1", "2")]
    assert reports[0] == reports[1]
    assert '"learned-span"' in reports[0]


def test_the_dask_path_carries_the_model_to_its_workers(trained: Path) -> None:
    import dask  # the test extra installs framecheck[dask]
    import dask.bag as db

    from framecheck.app.config import Config
    from framecheck.app.dask_scan import scan_bag

    records = [{"id": str(number), "text": "Town news\n\nThe market reviewed the zorbic bridge again.\n"}
               for number in range(3)]
    with dask.config.set(scheduler="synchronous"):
        result = scan_bag(db.from_sequence(records, npartitions=2), Config(model=str(trained), model_mode="add"))
        findings, scores = dask.compute(result.findings, result.scores)
    assert list(findings.rule_id) == ["learned-span"] * 3 and set(findings.excerpt) == {"zorbic bridge"}
    assert (scores.score > 0).all()


def test_training_shows_its_progress_on_a_terminal(corpus: tuple[Path, Path]) -> None:
    from helpers import make_engine

    from framecheck.learn.evaluation import labelled_documents, read_labels, spans_of
    from framecheck.learn.settings import TrainingProgress, TrainingSettings
    from framecheck.learn.training import fit, scan_examples

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    articles, labels_path = corpus
    labels = read_labels(labels_path)
    documents = [(i, document, spans_of(labels, i)) for i, document in labelled_documents(articles, "all")][:10]
    screen = Terminal()
    progress = TrainingProgress(screen)
    fit(scan_examples(make_engine(), documents, len(documents), progress), TrainingSettings(max_iterations=5),
        progress)
    shown = screen.getvalue()
    assert "scanning articles [########################] 10/10" in shown
    assert re.search(r"framecheck: training \[[#.]{24}\] [1-5]/5", shown)  # CRFsuite's iterations, as they go
    assert shown.endswith("framecheck: training: fitted on 10 articles\n")


def test_training_needs_an_article_in_every_fold(tmp_path: Path) -> None:
    articles, labels = write_corpus(tmp_path, articles=2)
    result = run("train", "--articles", str(articles), "--labels", str(labels), "-o", str(tmp_path / "m.fcm"))
    assert result.exit_code == 2 and "cannot be split into 5 folds" in result.stderr
    assert not (tmp_path / "m.fcm").exists()


def test_a_model_file_read_again_comes_from_the_cache_and_an_edited_one_does_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checked model and its tables are cached by the file's bytes: the same file gives the
    same model without parsing it again; a file with other weights is never served stale."""
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path / "cache"))
    save_model(_model(), tmp_path / "m.fcm")
    first = load_model(tmp_path / "m.fcm")
    assert len(list((tmp_path / "cache").glob("model-*.pickle"))) == 1
    with monkeypatch.context() as patched:
        patched.setattr("framecheck.learn.model_file._read", lambda data, path: pytest.fail("parsed again"))
        again = load_model(tmp_path / "m.fcm")
    assert again.weights == first.weights and again.thresholds == first.thresholds
    assert again.tables.rows == {} and again.tables.weights == first.weights  # tables as laid out, unused
    edited = _model()
    edited.weights["w=zorbic"] = -1.0
    save_model(edited, tmp_path / "m.fcm")
    assert load_model(tmp_path / "m.fcm").weights["w=zorbic"] == -1.0
    assert len(list((tmp_path / "cache").glob("model-*.pickle"))) == 2
