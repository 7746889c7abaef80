"""Scan time grows with the input, never with its square: hostile shapes of text and HTML.

Each case times the scan of an input and of the same input four times as long, in one run
(machines are noisy, so the bound is generous): linear work takes about 4x, quadratic 16x.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from framecheck.core.model import LARGE_TEXT
from framecheck.packs.indexes import FOLD_CHUNK

SEED = Path(__file__).resolve().parents[2] / "examples" / "obozrevatel-iran-russia-2023.txt"


def one_line_of_news(size: int) -> str:
    text = SEED.read_text(encoding="utf-8").replace("\n", " ") + " "
    return (text * (size // len(text) + 1))[:size]


SHAPES = {
    "exclamations.txt": lambda n: "Wow! " * (n // 5),
    "quoted-exclamations.txt": lambda n: '"Stop!" he said. ' * (n // 17),
    "stray-end-tags.html": lambda n: "<div>" * 2000 + "</span>" * (n // 7),
    "deep-nesting.html": lambda n: "<div>" * (n // 10) + "<header>hi</header><p>x</p>" * (n // 54),
    "unclosed-comments.html": lambda n: "<p>They terrorised it.</p>" + "<!--" * (n // 4),
    "unclosed-attributes.html": lambda n: '<a b="' * (n // 6),
    "cdata.html": lambda n: "<![CDATA[" * (n // 9) + ">",
}


def report_of(path: Path) -> Path:
    return path.parent.parent / f"{path.stem}.json"  # beside the inputs, which must stay untouched


def timed(scan, path: Path) -> float:
    started = time.perf_counter()
    result = scan("--format", "json", "-o", str(report_of(path)), str(path), timeout=300)
    assert result.returncode in (0, 1), result.stderr
    return time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_scan_time_grows_linearly(inputs: Path, scan, name: str) -> None:
    small, large = inputs / f"small-{name}", inputs / f"large-{name}"
    small.write_text(SHAPES[name](60_000), encoding="utf-8")
    large.write_text(SHAPES[name](240_000), encoding="utf-8")
    base = timed(scan, small)
    assert timed(scan, large) < max(8 * base, 4.0), "four times the input must not cost sixteen times the time"


@pytest.mark.slow
def test_a_text_above_the_folding_limit_keeps_its_speed_and_its_findings(inputs: Path, scan) -> None:
    """Above LARGE_TEXT characters the phrase automaton folds the text a chunk at a time: the
    same findings as below it, at the same speed per character (it once fell back to a regex
    scan 10x slower)."""
    assert LARGE_TEXT > FOLD_CHUNK
    below, above = inputs / "below.txt", inputs / "above.txt"
    below.write_text(one_line_of_news(LARGE_TEXT // 4), encoding="utf-8")
    above.write_text(one_line_of_news(LARGE_TEXT + LARGE_TEXT // 4), encoding="utf-8")
    base = timed(scan, below)
    assert timed(scan, above) < 5 * 2 * base  # five times the text, within 2x the speed
    import json

    def spans(path: Path, limit: int) -> list[tuple[str, int]]:
        findings = json.loads(report_of(path).read_text(encoding="utf-8"))["articles"][0]["findings"]
        return [(f["rule_id"], f["start"]) for f in findings if f["start"] < limit]

    # The long text starts with the short one: the findings there are the same, chunk seams and all.
    assert spans(above, LARGE_TEXT // 4 - 1000) == spans(below, LARGE_TEXT // 4 - 1000)
