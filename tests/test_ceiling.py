"""bench/ceiling.py, the word-list ceiling quoted in issue notes, on a corpus with known answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import REPO

CEILING = REPO / "bench" / "ceiling.py"


def write_corpus(root: Path, articles: dict[int, str], labels: list[tuple[int, str, str, int]]) -> Path:
    """Articles by id, and labels as (article id, corpus label, fragment, which occurrence)."""
    (root / "articles").mkdir(parents=True)
    for identifier, text in articles.items():
        (root / "articles" / f"article{identifier}.txt").write_text(text, encoding="utf-8")
    rows = []
    for identifier, label, fragment, occurrence in labels:
        start = -1
        for _ in range(occurrence + 1):
            start = articles[identifier].index(fragment, start + 1)
        rows.append(f"{identifier}\t{label}\t{start}\t{start + len(fragment)}\n")
    (root / "labels.tsv").write_text("".join(rows), encoding="utf-8")
    return root


def run_ceiling(corpus: Path, out: Path, *options: str) -> dict:
    done = subprocess.run([sys.executable, str(CEILING), "--corpus", str(corpus), "--json", str(out), *options],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def by_predictor(result: dict) -> dict[str, dict]:
    return {row["predictor"]: row for row in result["rows"]}


def plan_corpus(root: Path) -> Path:
    """A corpus where 'sham inquiry' is always gold and 'The plan' is gold in one of three dev-half uses."""
    return write_corpus(root, {
        # even ids: the dev half, where the list is learned
        2: "Headline\n\nThe committee met on Monday. Its members called it a sham inquiry.\n"
           "The plan was approved by the board.\n",
        4: "Headline\n\nThe plan was discussed. The plan was delayed again.\n",
        # odd ids: the report half, where it is scored
        3: "Headline\n\nThe council held a sham inquiry. The plan was approved.\n",
    }, [
        (2, "Loaded_Language", "sham inquiry", 0),
        (2, "Name_Calling,Labeling", "The plan", 0),  # 1 of 3 dev-half uses: below the 0.5 default
        (3, "Loaded_Language", "sham inquiry", 0),
    ])


def test_memorised_phrases_are_matched_on_the_report_half_only_when_precise_on_the_dev_half(tmp_path):
    result = run_ceiling(plan_corpus(tmp_path / "ptc"), tmp_path / "out.json")
    assert result["phrases"] == 1
    memorised = by_predictor(result)["memorised dev-half list"]
    assert memorised["span_identification"]["predicted_spans"] == 1
    assert memorised["span_identification"]["precision"] == 1.0
    assert memorised["span_identification"]["recall"] == 1.0
    assert memorised["Loaded_Language"]["f1"] == 1.0
    assert memorised["Name_Calling,Labeling"]["predicted_spans"] == 0
    both = by_predictor(result)["both"]["span_identification"]
    assert both["recall"] == 1.0


def test_a_lower_precision_floor_keeps_the_less_precise_phrase(tmp_path):
    result = run_ceiling(plan_corpus(tmp_path / "ptc"), tmp_path / "out.json", "--min-precision", "0.3")
    assert result["phrases"] == 2
    memorised = by_predictor(result)["memorised dev-half list"]
    assert memorised["Name_Calling,Labeling"]["predicted_spans"] == 1
    assert memorised["span_identification"]["precision"] == 0.5  # "The plan" on the report half is not gold


def test_longer_fragments_are_memorised_only_up_to_max_words(tmp_path):
    corpus = write_corpus(tmp_path / "ptc", {
        2: "Headline\n\nA truly shameful and cowardly act of betrayal shocked everyone.\n",
        3: "Headline\n\nA truly shameful and cowardly act of betrayal was condemned.\n",
    }, [
        (2, "Loaded_Language", "truly shameful and cowardly act of betrayal", 0),
        (3, "Loaded_Language", "truly shameful and cowardly act of betrayal", 0),
    ])
    short = run_ceiling(corpus, tmp_path / "short.json")
    long = run_ceiling(corpus, tmp_path / "long.json", "--max-words", "7")
    assert short["phrases"] == 0
    assert long["phrases"] == 1
    assert by_predictor(long)["memorised dev-half list"]["span_identification"]["recall"] == 1.0


def test_missing_corpus_is_a_one_line_error(tmp_path):
    done = subprocess.run([sys.executable, str(CEILING), "--corpus", str(tmp_path / "absent")],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    expected = f"ceiling.py: no corpus at {tmp_path / 'absent'} (expected labels.tsv and articles/)"
    assert done.stderr.strip().splitlines() == [expected]
