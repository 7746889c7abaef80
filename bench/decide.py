"""Is a model setting better, or did its folds just fall that way? The decision rule for the
learned layer (docs/evaluation.md), run over several splits into folds.

Usage (from the repository root, framecheck installed with its learn extra):

    python bench/decide.py --articles DIR --labels FILE [--split dev] [--seeds 0,1,2]
                           [--base "ARGS"] --variant "ARGS" [--mode both] [--jobs 2]
                           [--base-framecheck CMD] [--variant-framecheck CMD] [--keep DIR] [--json FILE]
    python bench/decide.py --pair BASE.fcm VARIANT.fcm [--pair ...] [--mode both] [--json FILE]

The first form trains a model per seed with ``framecheck train --seed S`` and the base
arguments, and one with the variant's (``--variant "--c2 0.1"``; ``--variant-framecheck`` runs
another installation instead, for a change to the code: ``--variant-framecheck
"/tmp/new/bin/framecheck"``). The second compares models trained already, a pair per seed.

Each model stores the figures of its folds measured at thresholds chosen without them
(``expected_out_of_fold``). A fold is won when the variant raises span precision or F1 there
(by at least 0.001) without lowering the other by more than 0.01. Why several seeds: the
thresholds are picked from a grid on four folds and applied to the fifth, and that choice
jumps. A change that touched 109 of 82,819 tokens of the UNLP posts moved their mean F1 by
-0.018 and won 1 fold of 5; a feature that won 4 of 5 on the PTC dev half's usual folds won
2 and 3 of 5 with two other seeds. So a setting is kept when it wins at least as many folds
as a coin tossed per fold would reach at most 6% of the time: 11 of 15 for three seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from framecheck.learn.model_file import META_NAME

NO_RISE = 0.001  # a difference below the figures' last digit is no difference
TOLERANCE = 0.01  # how far the other figure may fall for a fold to count as won
CHANCE = 0.06  # the most often a setting that changes nothing may pass


class DecideError(Exception):
    """Something the user gave cannot be compared: one line, exit code 2."""


@dataclass(frozen=True)
class FoldComparison:
    seed: int
    fold: int
    base: dict[str, float]
    variant: dict[str, float]

    @property
    def outcome(self) -> str:
        """"won", "lost" or "same" by the rule in the module's docstring."""
        precision = self.variant["precision"] - self.base["precision"]
        f1 = self.variant["f1"] - self.base["f1"]
        if (precision >= NO_RISE and f1 >= -TOLERANCE) or (f1 >= NO_RISE and precision >= -TOLERANCE):
            return "won"
        if abs(precision) < NO_RISE and abs(f1) < NO_RISE:
            return "same"
        return "lost"


def required_wins(folds: int, chance: float = CHANCE) -> int:
    """The fewest won folds that fair coins (one per fold) reach at most ``chance`` of the time."""
    for wins in range(folds + 1):
        tail = sum(math.comb(folds, k) for k in range(wins, folds + 1)) / 2**folds
        if tail <= chance:
            return wins
    return folds + 1


def read_meta(path: Path) -> dict[str, Any]:
    """A model file's description, read without loading the model (so models of another
    installation, or another feature version, compare too)."""
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read(META_NAME))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise DecideError(f"{path}: not a framecheck model file ({error})") from error
    if not isinstance(meta, dict) or not isinstance(meta.get("expected_out_of_fold"), dict):
        raise DecideError(f"{path}: the model records no out-of-fold figures (trained by an older framecheck?)")
    return meta


def seed_of(meta: dict[str, Any]) -> int:
    return int((meta.get("settings") or {}).get("seed", 0))


def compare_pair(base_path: Path, variant_path: Path, mode: str) -> list[FoldComparison]:
    """Fold by fold, the two models' out-of-fold figures in ``mode``; they must share a split."""
    base, variant = read_meta(base_path), read_meta(variant_path)
    for meta, path in ((base, base_path), (variant, variant_path)):
        if mode not in meta["expected_out_of_fold"]:
            raise DecideError(f"{path}: no out-of-fold figures for mode {mode!r}")
    split = [(seed_of(m), (m.get("trained_on") or {}).get("articles"), (m.get("settings") or {}).get("folds"))
             for m in (base, variant)]
    if split[0] != split[1]:
        raise DecideError(f"{base_path} and {variant_path} were not trained on the same split into folds "
                          f"(seed, articles, folds: {split[0]} against {split[1]})")
    rows = zip(base["expected_out_of_fold"][mode]["per_fold"], variant["expected_out_of_fold"][mode]["per_fold"])
    return [FoldComparison(split[0][0], number, b, v) for number, (b, v) in enumerate(rows, 1)]


def compare_pairs(pairs: list[tuple[Path, Path]], mode: str) -> list[FoldComparison]:
    """Every pair's folds, one pair per seed (a seed twice would count its folds twice)."""
    comparisons = [c for base, variant in pairs for c in compare_pair(Path(base), Path(variant), mode)]
    seeds = [c.seed for c in comparisons if c.fold == 1]
    if len(set(seeds)) < len(seeds):
        raise DecideError(f"two pairs were trained with the same seed ({', '.join(map(str, sorted(seeds)))}): "
                          "each seed's folds count once")
    return comparisons


def train_models(args: argparse.Namespace, folder: Path) -> list[tuple[Path, Path]]:
    """Train the base and the variant once per seed (``--jobs`` at a time); (base, variant) per seed."""
    def command(which: str, seed: int) -> tuple[list[str], Path]:
        executable = getattr(args, f"{which}_framecheck") or f"{shlex.quote(sys.executable)} -m framecheck"
        output = folder / f"{which}-seed{seed}.fcm"
        return ([*shlex.split(executable), "train", "-q", "--articles", args.articles, "--labels", args.labels,
                 "--split", args.split, "--seed", str(seed), "-o", str(output),
                 *shlex.split(getattr(args, which) or "")], output)

    def run(job: tuple[list[str], Path]) -> Path:
        done = subprocess.run(job[0], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
            raise DecideError(f"training failed ({shlex.join(job[0])}): {last}")
        return job[1]

    jobs = [command(which, seed) for seed in args.seeds for which in ("base", "variant")]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        paths = list(pool.map(run, jobs))
    return list(zip(paths[::2], paths[1::2]))


def verdict(comparisons: list[FoldComparison]) -> dict[str, Any]:
    """Won, lost and unchanged folds, the wins the rule asks for, and the means either side."""
    outcomes = [c.outcome for c in comparisons]
    needed = required_wins(len(comparisons))

    def mean(side: str, figure: str) -> float:
        return round(sum(getattr(c, side)[figure] for c in comparisons) / len(comparisons), 4)

    return {"folds": len(comparisons), "won": outcomes.count("won"), "lost": outcomes.count("lost"),
            "same": outcomes.count("same"), "needed": needed, "kept": outcomes.count("won") >= needed,
            "mean": {side: {figure: mean(side, figure) for figure in ("precision", "recall", "f1")}
                     for side in ("base", "variant")}}


def report(comparisons: list[FoldComparison], decision: dict[str, Any], mode: str) -> str:
    lines = []
    for c in comparisons:
        lines.append(f"seed {c.seed} fold {c.fold}: P {c.base['precision']:.3f} -> {c.variant['precision']:.3f}  "
                     f"F1 {c.base['f1']:.3f} -> {c.variant['f1']:.3f}  {c.outcome}")
    base, variant = decision["mean"]["base"], decision["mean"]["variant"]
    lines.append(f"mean of {decision['folds']} folds, mode {mode}: P {base['precision']:.3f} -> "
                 f"{variant['precision']:.3f}  R {base['recall']:.3f} -> {variant['recall']:.3f}  "
                 f"F1 {base['f1']:.3f} -> {variant['f1']:.3f}")
    lines.append(f"won {decision['won']}, lost {decision['lost']}, unchanged {decision['same']} of "
                 f"{decision['folds']} folds; the rule asks for {decision['needed']}: "
                 + ("kept" if decision["kept"] else "not kept"))
    return "\n".join(lines)


def seeds(text: str) -> list[int]:
    """"0,1,2" as seeds: distinct, none negative (each seed's folds count once)."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of seeds: {text!r}") from None
    if len(set(values)) < len(values) or min(values) < 0:
        raise argparse.ArgumentTypeError(f"seeds must be distinct and not negative: {text!r}")
    return values


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", help="folder of article<ID>.txt files")
    parser.add_argument("--labels", help="gold spans, as for 'framecheck train'")
    parser.add_argument("--split", default="dev", choices=("all", "dev", "report"))
    parser.add_argument("--seeds", default="0,1,2", type=seeds,
                        help="seeds of the split into folds, comma-separated (default 0,1,2)")
    parser.add_argument("--base", default="", help="arguments of 'framecheck train' for the base")
    parser.add_argument("--variant", default="", help="arguments of 'framecheck train' for the variant")
    parser.add_argument("--base-framecheck", help="the framecheck command that trains the base")
    parser.add_argument("--variant-framecheck", help="the framecheck command that trains the variant")
    parser.add_argument("--pair", nargs=2, action="append", metavar=("BASE", "VARIANT"), type=Path,
                        help="compare two models trained already (repeatable, one pair per seed)")
    parser.add_argument("--mode", default="both", choices=("rules", "filter", "add", "both"))
    parser.add_argument("--jobs", type=int, default=2, help="trainings at a time (each uses one core)")
    parser.add_argument("--keep", type=Path, help="keep the trained models in this folder")
    parser.add_argument("--json", type=Path, help="also write the comparison as JSON")
    args = parser.parse_args(argv)
    if not args.pair:
        if not (args.articles and args.labels):
            parser.error("give --articles and --labels to train, or --pair to compare models")
        if args.base == args.variant and args.base_framecheck == args.variant_framecheck:
            parser.error("the base and the variant are the same: give --variant or --variant-framecheck")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        if args.pair:
            comparisons = compare_pairs(args.pair, args.mode)
        else:
            with tempfile.TemporaryDirectory(prefix="framecheck-decide-") as scratch:
                folder = args.keep or Path(scratch)
                folder.mkdir(parents=True, exist_ok=True)
                comparisons = compare_pairs(train_models(args, folder), args.mode)
    except DecideError as error:
        print(f"decide: error: {error}", file=sys.stderr)
        return 2
    decision = verdict(comparisons)
    print(report(comparisons, decision, args.mode))
    if args.json:
        args.json.write_text(json.dumps({"mode": args.mode, **decision,
                                         "per_fold": [{**asdict(c), "outcome": c.outcome} for c in comparisons]},
                                        indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
