"""bench/decide.py, the learned layer's decision rule over several splits into folds, on a corpus
where one setting learns the labels and the other (an L1 penalty that prunes every feature)
cannot."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, write_corpus

from framecheck.learn.model_file import META_NAME

DECIDE = REPO / "bench" / "decide.py"
CRIPPLED = "--c1 50 --max-iterations 30"  # every feature pruned: the model finds nothing
USUAL = "--max-iterations 30"


def decide(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(DECIDE), *options], capture_output=True, text=True, check=False,
                          timeout=300, cwd=REPO)


def meta(model: Path) -> dict:
    with zipfile.ZipFile(model) as archive:
        return json.loads(archive.read(META_NAME))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Models of the crippled base and the usual variant for seeds 0 and 1, and the comparison."""
    root = tmp_path_factory.mktemp("decide")
    articles, labels = write_corpus(root)
    done = decide("--articles", str(articles), "--labels", str(labels), "--split", "all", "--seeds", "0,1",
                  "--base", CRIPPLED, "--variant", USUAL, "--keep", str(root / "models"),
                  "--json", str(root / "out.json"))
    assert done.returncode == 0, done.stderr
    return root / "models", json.loads((root / "out.json").read_text(encoding="utf-8"))


def test_a_setting_that_wins_every_fold_of_every_seed_is_kept(trained: tuple[Path, dict]) -> None:
    _, result = trained
    assert (result["folds"], result["won"], result["lost"], result["needed"], result["kept"]) == (10, 10, 0, 8, True)
    assert sorted({row["seed"] for row in result["per_fold"]}) == [0, 1]
    assert all(row["variant"]["f1"] > row["base"]["f1"] for row in result["per_fold"])
    assert result["mean"]["base"]["f1"] < result["mean"]["variant"]["f1"]


def test_each_seed_trains_on_its_own_split_into_folds(trained: tuple[Path, dict]) -> None:
    models, _ = trained
    first, second = meta(models / "variant-seed0.fcm"), meta(models / "variant-seed1.fcm")
    assert (first["settings"]["seed"], second["settings"]["seed"]) == (0, 1)
    golds = [[row["gold_spans"] for row in m["expected_out_of_fold"]["both"]["per_fold"]] for m in (first, second)]
    assert golds[0] != golds[1] and sum(golds[0]) == sum(golds[1])  # other folds, every article held out once


def test_models_trained_already_compare_by_pairs_and_a_worse_variant_is_not_kept(
        trained: tuple[Path, dict], tmp_path: Path) -> None:
    models, _ = trained
    done = decide("--pair", str(models / "variant-seed0.fcm"), str(models / "base-seed0.fcm"),
                  "--pair", str(models / "variant-seed1.fcm"), str(models / "base-seed1.fcm"),
                  "--json", str(tmp_path / "out.json"))
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert (result["won"], result["lost"], result["kept"]) == (0, 10, False)
    assert done.stdout.splitlines()[-1] == "won 0, lost 10, unchanged 0 of 10 folds; the rule asks for 8: not kept"


def test_the_same_model_twice_changes_nothing(trained: tuple[Path, dict]) -> None:
    models, _ = trained
    done = decide("--pair", str(models / "variant-seed0.fcm"), str(models / "variant-seed0.fcm"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "won 0, lost 0, unchanged 5 of 5 folds; the rule asks for 5: not kept"


@pytest.mark.parametrize("pairs, says", [
    ([("variant-seed0.fcm", "base-seed1.fcm")], "were not trained on the same split into folds"),
    ([("variant-seed0.fcm", "base-seed0.fcm"), ("variant-seed0.fcm", "base-seed0.fcm")], "the same seed"),
    ([("variant-seed0.fcm", "no-model.txt")], "not a framecheck model file"),
])
def test_what_cannot_be_compared_is_one_error_line_and_exit_2(trained: tuple[Path, dict], tmp_path: Path,
                                                               pairs: list[tuple[str, str]], says: str) -> None:
    models, _ = trained
    (models / "no-model.txt").write_text("not a zip", encoding="utf-8")
    done = decide(*[item for base, variant in pairs for item in ("--pair", str(models / base), str(models / variant))])
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("seeds", ["0,0", "a", "-1"])
def test_seeds_given_twice_or_not_seeds_are_refused_before_any_training(seeds: str, tmp_path: Path) -> None:
    done = decide("--articles", str(tmp_path), "--labels", str(tmp_path / "none.tsv"), "--variant", USUAL,
                  "--seeds", seeds)
    assert done.returncode == 2 and "--seeds" in done.stderr and "Traceback" not in done.stderr


def test_the_wins_asked_for_are_what_a_coin_per_fold_reaches_at_most_six_times_in_a_hundred(
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("decide", DECIDE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "decide", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert [module.required_wins(folds) for folds in (5, 10, 15, 20)] == [5, 8, 11, 14]
