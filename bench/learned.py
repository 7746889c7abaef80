"""The learned layer on labelled articles: its threshold curve, and what a model costs a scan.

    python bench/learned.py                      # train on the PTC dev half, measure on the report half
    python bench/learned.py --model model.fcm    # measure a model you trained

Prints, for the measured split:

* the threshold curve: span identification of the learned spans alone, and of the rule findings
  and learned spans together, with every span threshold set to one value (the model's own
  thresholds, chosen on held-out training articles, are printed beside it);
* the figures of each mode with the model's own thresholds;
* speed: MB/s of the split scanned in this process without the model and with it in modes
  filter and both (medians of --runs runs, interleaved); a whole ``framecheck scan --jobs 1`` of
  the split's files with the model against one without (start-up included: the figure a user
  sees; medians of the pairs' ratios); and the start-up of a one-article scan with and without it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from framecheck.app.config import Config
from framecheck.app.options import engine_for
from framecheck.learn import load_model, save_model
from framecheck.learn.calibration import figures, tag_held_out, threshold_curve
from framecheck.learn.evaluation import labelled_documents, read_labels, spans_of
from framecheck.learn.settings import TrainingProgress, TrainingSettings
from framecheck.learn.training import scan_examples
from framecheck.learn.training import train as train_model

HERE = Path(__file__).resolve().parent
PTC = HERE.parent.parent / "shared" / "corpora" / "ptc" / "train"
SEED = HERE.parent / "examples" / "obozrevatel-iran-russia-2023.txt"


def read_split(articles: Path, labels_path: Path, split: str) -> list:
    labels = read_labels(labels_path)
    return [(identifier, document, spans_of(labels, identifier))
            for identifier, document in labelled_documents(articles, split)]


def scan_seconds(config: Config, documents: list) -> float:
    engine, _manager = engine_for(config)
    started = time.perf_counter()
    for _, document, _ in documents:
        engine.scan(document)
    return time.perf_counter() - started


def cli_seconds(*args: str) -> float:
    """Wall seconds of one whole ``framecheck scan`` process (start-up included)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "framecheck", "scan", "--jobs", "1", *args],
                          capture_output=True, check=False)
    if done.returncode not in (0, 1):  # 1: findings fail the check, as they should
        raise SystemExit(f"scan failed: {done.stderr.decode(errors='replace')}")
    return time.perf_counter() - started


def whole_scan_ratio(folder: Path, model: Path, runs: int) -> tuple[float, float, float]:
    """(median seconds with the model, without it, median of the pairs' ratios) of whole scans
    of ``folder``, run in turn so a slow phase of the machine hits both."""
    pairs = [(cli_seconds("--model", str(model), str(folder)), cli_seconds(str(folder))) for _ in range(runs)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def cold_start(*args: str, runs: int) -> float:
    return statistics.median(cli_seconds(*args, str(SEED)) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=PTC / "articles")
    parser.add_argument("--labels", type=Path, default=PTC / "labels.tsv")
    parser.add_argument("--model", type=Path, help="a trained model (default: train one on --train-split)")
    parser.add_argument("--train-split", default="dev")
    parser.add_argument("--split", default="report", help="the split to measure on")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="framecheck-bench-"))
    model_path = options.model
    if model_path is None:
        model_path = scratch / "model.fcm"
        engine, _manager = engine_for(Config())
        started = time.perf_counter()
        model, _held, _reached = train_model(engine, read_split(options.articles, options.labels, options.train_split),
                                             TrainingSettings(), TrainingProgress())
        save_model(model, model_path)
        print(f"trained on the {options.train_split} split in {time.perf_counter() - started:.0f} s")
    model = load_model(model_path)
    print(f"model: {model_path}, {model_path.stat().st_size / 1e6:.2f} MB, {len(model.weights):,} features, "
          f"thresholds {model.thresholds}")

    documents = read_split(options.articles, options.labels, options.split)
    engine, _manager = engine_for(Config())
    examples = scan_examples(engine, documents, len(documents), TrainingProgress(enabled=False))
    held = tag_held_out(model, examples)
    print(f"\nthreshold curve on the {options.split} split ({len(documents)} articles): P / R / F1")
    print(f"{'threshold':>9}  {'learned spans alone':>22}  {'rules + learned spans':>22}")
    for value, alone, together in threshold_curve(held, model.thresholds):
        print(f"{value:>9.2f}  {alone.precision:.3f} / {alone.recall:.3f} / {alone.f1:.3f}  "
              f"{together.precision:.3f} / {together.recall:.3f} / {together.f1:.3f}")
    print("\nwith the model's thresholds:")
    for mode, row in figures(held, model.thresholds).items():
        print(f"  {mode:<6}  P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}")

    megabytes = sum(len(document.text) for _, document, _ in documents) / 1e6
    modes = ("filter", "both")
    seconds: dict[str, list[float]] = {name: [] for name in ("rules", *modes)}
    for _ in range(options.runs):  # interleaved, so a slow phase of the machine hits every variant
        seconds["rules"].append(scan_seconds(Config(), documents))
        for mode in modes:
            seconds[mode].append(scan_seconds(Config(model=str(model_path), model_mode=mode), documents))
    speed = {name: megabytes / statistics.median(times) for name, times in seconds.items()}
    print(f"\nscan speed, {megabytes:.2f} M characters, medians of {options.runs}: rules {speed['rules']:.2f} MB/s; "
          + "; ".join(f"mode {mode} {speed[mode]:.2f} MB/s ({speed[mode] / speed['rules']:.2f}x)" for mode in modes))
    folder = scratch / "split"
    folder.mkdir()
    for identifier, _, _ in documents:
        shutil.copyfile(options.articles / f"article{identifier}.txt", folder / f"article{identifier}.txt")
    with_model, without_model, ratio = whole_scan_ratio(folder, model_path, runs=options.runs * 2 + 1)
    print(f"whole scan of the split (scan --jobs 1, start-up included): {with_model:.2f} s with the model (both), "
          f"{without_model:.2f} s without ({ratio:.2f}x, median of {options.runs * 2 + 1} pairs)")
    without = cold_start(runs=options.runs * 3)
    with_model = cold_start("--model", str(model_path), runs=options.runs * 3)
    print(f"one-article scan: {without:.3f} s without the model, {with_model:.3f} s with it "
          f"({with_model / without:.2f}x)")


if __name__ == "__main__":
    main()
