"""The HTML report: self-contained, escaped, and rendered for real in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import SEED, run

HOSTILE = (
    "Breaking: <script>document.body.dataset.pwned = 'yes'</script> news\n\n"
    "They terrorised the town.\n\n<img src=x onerror=\"document.body.dataset.pwned='img'\"> Do not fall for fakes!\n"
)
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def report(tmp_path: Path, *articles: Path) -> tuple[Path, int]:
    """The HTML report, and how many highlights it must have: one per group of overlapping findings."""
    page = tmp_path / "report.html"
    result = run("scan", "--output", f"html={page}", "--format", "json", *map(str, articles))
    highlights = 0
    for article in json.loads(result.stdout)["articles"]:
        last_end = -1
        for start, end in sorted((f["start"], f["end"]) for f in article["findings"] if f["suppression"] is None):
            highlights += start >= last_end
            last_end = max(last_end, end)
    return page, highlights


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


def test_the_page_is_self_contained_and_escapes_article_text(tmp_path: Path, hostile: Path) -> None:
    page, findings = report(tmp_path, SEED, hostile)
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", text), "no external resources"
    assert "&lt;script&gt;document.body.dataset.pwned" in text and "<script>document.body" not in text
    assert text.count('<mark class="fc ') == findings == 6
    assert text.count('<section class="article"') == 2 and 'class="sortable"' in text
    assert "<svg" in text and "Techniques across the corpus" in text


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium installed (Debian: apt-get install chromium); .ci/run installs it")
def test_chromium_renders_the_highlights_and_runs_no_article_script(tmp_path: Path, hostile: Path) -> None:
    chromium = find_chromium()
    page, findings = report(tmp_path, SEED, hostile)
    profile = tmp_path / "profile"
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert 'data-ready="true"' in dom, "the page's own script (table sorting) ran"
    assert "data-pwned" not in dom, "no script from an article ran"
    marks = re.findall(r'<mark class="fc t-([\w-]+)[^"]*"[^>]*>', dom)
    assert len(marks) == findings == 6
    assert set(marks) == {"loaded-language", "unsourced-attribution", "distrust-call"}
    screenshot = tmp_path / "report.png"
    subprocess.run([*common, f"--screenshot={screenshot}", "--window-size=1200,1600", page.as_uri()],
                   capture_output=True, timeout=120)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000


def test_every_technique_has_a_colour_of_its_own() -> None:
    from framecheck.core.taxonomy import TECHNIQUES
    from framecheck.outputs.html import COLOURS

    assert set(COLOURS) == set(TECHNIQUES)
    assert len(set(COLOURS.values())) == len(TECHNIQUES)  # a legend whose colours repeat misleads


STACKED = (
    "Town news\n\nThe brutal crackdown terrorised the protesters!\n\n"
    '"They terrorised the town," Mayor Jane Smith said.\n\n\n\n\nThe end.\n\nOther News\n\nRegime terrorised the north\n'
)


def article_text(page: str) -> str:
    return page.split('<div class="article-text">', 1)[1].split("</div>", 1)[0]


def test_a_stacked_sentence_is_underlined_and_keeps_its_devices_visible(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STACKED, encoding="utf-8")
    page = tmp_path / "r.html"
    run("scan", "--output", f"html={page}", str(story))
    text = article_text(page.read_text(encoding="utf-8"))
    sentence = re.search(r'<span class="sentence" title="([^"]*)">(.*?)</span>', text)
    assert sentence and "stacked-framing" in sentence.group(1) and "exclamation" in sentence.group(1)
    inner = re.findall(r'<mark class="fc t-([\w-]+) sev-(\w+)[^"]*"[^>]*>(\w+)</mark>', sentence.group(2))
    assert inner == [("loaded-language", "warning", "brutal"), ("loaded-language", "warning", "terrorised")]
    quoted = re.search(r'<mark class="fc t-loaded-language sev-warning outside"[^>]*title="([^"]*)">terrorised', text)
    assert quoted and "(quoted: Mayor Jane Smith)" in quoted.group(1)
    assert re.search(r'<span class="chrome"[^>]*>Other News\n\nRegime <mark class="fc [^"]* outside"', text)
    assert "said.\n\nThe end." in text  # four blank lines in the source, one paragraph gap on the page


def test_the_page_says_what_a_reader_needs_once_and_in_words(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STACKED, encoding="utf-8")
    page = tmp_path / "one.html"
    run("scan", "--max-score", "30", "--output", f"html={page}", str(story))
    html = page.read_text(encoding="utf-8")
    assert "<p>1 article · 5 findings</p>" in html  # the exclaimed sentence is one device (stacked absorbed)
    assert '<div class="verdict failed" role="alert">Check failed<ul>' in html
    assert "score 46/100 is above --max-score 30" in html and "fails the check" in html
    assert '<span class="badge warning">4 warnings</span> <span class="badge info">1 info</span>' in html
    table = html.split('<table class="findings">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 6 and "(site chrome)" in table  # the header and five findings
    several = tmp_path / "two.html"
    run("scan", "--output", f"html={several}", str(story), str(SEED))
    index = several.read_text(encoding="utf-8").split('<table class="sortable">', 1)[1].split("</thead>", 1)[0]
    assert "Outlet" not in index and "Date" not in index  # no article has one: no empty columns
    assert "<th>Check</th>" in index
