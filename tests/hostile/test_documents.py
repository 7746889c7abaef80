"""One strange document costs only itself: every other document is scanned and reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

LOADED = "They terrorised the town.\n"

# name -> (bytes of the file, what the run must say about it)
STRANGE: dict[str, tuple[bytes, str]] = {
    "entity.html": (b"<p>x &#" + b"9" * 4301 + b"; y</p><p>They terrorised the town.</p>", "report"),
    "cr.md": (b"x\r> quote\r", "report"),
    "nested.md": (b"---\ntitle: " + b"[" * 500 + b"\n---\nThey terrorised the town.\n", "note"),
    "digits.jsonl": (b'{"id": 1, "text": "a", "n": ' + b"9" * 5000 + b'}\n{"id": 2, "text": "They terrorised it."}\n',
                     "digits.jsonl:1: invalid JSON (a number too long to read); record skipped"),
    "deep.jsonl": (b"[" * 100_000 + b'\n{"id": 2, "text": "They terrorised it."}\n',
                   "deep.jsonl:1: invalid JSON (nested too deeply); record skipped"),
    "surrogate.jsonl": (b'{"id": "\\ud800", "text": "They terrorised \\ud800 it.", "by": "\\udfff"}\n', "report"),
}


@pytest.mark.parametrize("name", sorted(STRANGE))
def test_a_strange_document_never_aborts_the_run(inputs: Path, scan, name: str) -> None:
    data, expected = STRANGE[name]
    (inputs / name).write_bytes(data)
    (inputs / "ok.txt").write_text(LOADED, encoding="utf-8")
    reports = [inputs.parent / f"report.{fmt}" for fmt in ("text", "sarif", "html", "markdown", "github")]
    outputs = [f"--output={report.suffix[1:]}={report}" for report in reports]
    result = scan("--format", "json", *outputs, str(inputs / name), str(inputs / "ok.txt"))
    assert "internal error" not in result.stderr
    document = json.loads(result.stdout)
    sources = [article["source"] for article in document["articles"]]
    assert str(inputs / "ok.txt") in sources  # the other input is always scanned
    for report in reports:
        report.read_text(encoding="utf-8")  # every report is written, in valid UTF-8
    if expected.startswith(name):  # a per-record error, and exit 2 at the end
        assert result.returncode == 2
        assert document["summary"]["errors"] == [str(inputs / expected)]
        assert sources[0] == f"{inputs / name}#2"  # the corpus's good record is scanned too
    else:
        assert result.returncode == 1 and document["summary"]["errors"] == []
        assert sources[0].startswith(str(inputs / name))


def test_lone_surrogates_become_replacement_characters_and_escaped_names(inputs: Path, scan) -> None:
    (inputs / "s.jsonl").write_bytes(STRANGE["surrogate.jsonl"][0])
    document = json.loads(scan("--format", "json", str(inputs / "s.jsonl")).stdout)
    (article,) = document["articles"]
    assert article["source"] == f"{inputs / 's.jsonl'}#\\ud800"
    assert article["metadata"] == {"id": "\\ud800", "by": "\\udfff"}
    assert article["findings"][0]["excerpt"] == "terrorised"
    assert article["warnings"] == ["lone surrogate code points in the text were replaced by U+FFFD"]


@pytest.mark.skipif(os.name == "nt", reason="file names are bytes on POSIX only")
def test_a_file_name_that_is_not_utf8_is_shown_escaped_in_every_report(inputs: Path, scan) -> None:
    folder = os.fsencode(inputs)
    with open(os.path.join(folder, b"caf\xe9.txt"), "wb") as handle:
        handle.write(LOADED.encode())
    outputs = inputs.parent / "out"
    outputs.mkdir()
    formats = ["json", "sarif", "html", "github", "markdown", "annotated", "jsonl"]
    args = [f"--output={fmt}={outputs / ('r.' + fmt)}" for fmt in formats]
    baseline = os.fsdecode(os.path.join(os.fsencode(outputs), b"base\xe9.json"))
    result = scan(*args, "--write-baseline", baseline, str(inputs))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{inputs}/caf\\xe9.txt:1:6: warning loaded-verb-terrorise")
    for fmt in formats:
        assert "caf\\\\xe9.txt" in (outputs / f"r.{fmt}").read_text(encoding="utf-8") or \
            "caf\\xe9.txt" in (outputs / f"r.{fmt}").read_text(encoding="utf-8"), fmt
    entries = json.loads(Path(baseline).read_text(encoding="utf-8"))["articles"]
    assert [name.rsplit("/", 1)[-1] for name in entries] == ["caf\\xe9.txt"]


def test_one_bad_byte_in_a_csv_costs_its_row_only(inputs: Path, scan) -> None:
    rows = [b"id,text"] + [f"{n},They terrorised town {n}.".encode() for n in range(1, 1201)]
    rows[1001] = b"1001,They terrorised caf\xe9."
    (inputs / "corpus.csv").write_bytes(b"\n".join(rows) + b"\n")
    result = scan("--format", "json", str(inputs / "corpus.csv"))
    document = json.loads(result.stdout)
    assert result.returncode == 2
    assert len(document["articles"]) == 1199
    assert document["summary"]["errors"] == [f"{inputs / 'corpus.csv'}:1002: not valid UTF-8; record skipped"]


# --- nothing is lost silently ------------------------------------------------------------------


def test_markdown_nested_past_the_parsers_limit_says_so(inputs: Path, scan) -> None:
    shallow = inputs / "shallow.md"
    shallow.write_text("Intro.\n\n" + "> " * 25 + "They terrorised it.\n", encoding="utf-8")
    article = json.loads(scan("--format", "json", str(shallow)).stdout)["articles"][0]
    assert [f["excerpt"] for f in article["findings"]] == ["terrorised"]  # 25 levels: read
    deep = inputs / "deep.md"
    deep.write_text("Intro.\n\n" + "> " * 150 + "They terrorised it.\n", encoding="utf-8")
    article = json.loads(scan("--format", "json", str(deep)).stdout)["articles"][0]
    assert article["warnings"] == ["Markdown nested more than 100 levels deep (line 3): the file was read as plain text"]
    assert [f["excerpt"] for f in article["findings"]] == ["terrorised"], "the deep text is scanned too"


def test_an_article_after_a_list_nested_past_the_limit_is_scanned_and_fails(inputs: Path, scan) -> None:
    hidden = inputs / "hidden.md"
    nested = "".join("  " * depth + "- x\n" for depth in range(102))
    hidden.write_text(nested + "\n" + "The traitors terrorise everything.\n\n" * 20, encoding="utf-8")
    result = scan("-q", "--format", "json", str(hidden))
    article = json.loads(result.stdout)["articles"][0]
    assert result.returncode == 1, "a story hidden behind deep nesting fails the check like any other"
    assert sum(f["rule_id"] == "loaded-verb-terrorise" for f in article["findings"]) == 20
    assert article["findings"][0]["line"] == 104


def test_a_folder_that_cannot_be_listed_is_an_error_not_a_gap(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from framecheck.inputs.readers import Input
    from framecheck.inputs.walk import collect_inputs

    (inputs / "open").mkdir()
    (inputs / "open" / "a.txt").write_text(LOADED, encoding="utf-8")
    (inputs / "locked").mkdir()
    (inputs / "locked" / "b.txt").write_text(LOADED, encoding="utf-8")
    real_scandir = os.scandir

    def refusing(path):  # what chmod 000 does to anyone but root
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    found = list(collect_inputs([str(inputs)], frozenset({".txt"})))
    assert [item.name for item in found if isinstance(item, Input)] == [str(inputs / "open" / "a.txt")]
    assert [str(item) for item in found if not isinstance(item, Input)] == [
        f"{inputs / 'locked'}: cannot read folder: Permission denied; skipped"
    ]
    real_is_dir = Path.is_dir

    def searching(path: Path) -> bool:
        if "locked" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_is_dir(path)

    monkeypatch.setattr(Path, "is_dir", searching)
    (under,) = collect_inputs([str(inputs / "locked" / "b.txt")], frozenset({".txt"}))
    assert str(under) == f"{inputs / 'locked' / 'b.txt'}: cannot read: Permission denied"


def test_max_bytes_bounds_files_stdin_and_corpus_records(inputs: Path, scan) -> None:
    from helpers import run_subprocess

    big = inputs / "big.txt"
    big.write_bytes(b"a " * 600_000)
    (inputs / "ok.txt").write_text(LOADED, encoding="utf-8")
    result = scan("--max-bytes", "1M", "--format", "json", str(big), str(inputs / "ok.txt"))
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["summary"]["errors"] == [f"{big}: larger than --max-bytes (1 MiB); not scanned"]
    assert [a["source"] for a in document["articles"]] == [str(inputs / "ok.txt")]
    with open("/dev/zero", "rb") as endless:
        import subprocess
        import sys

        started = subprocess.run([sys.executable, "-m", "framecheck", "scan", "--max-bytes", "2M", "-"],
                                 stdin=endless, capture_output=True, text=True, timeout=60)
    assert started.returncode == 2
    assert started.stderr == "framecheck: error: <stdin>: larger than --max-bytes (2 MiB); not scanned\n"
    corpus = inputs / "corpus.jsonl"
    corpus.write_text('{"id": 1, "text": "' + "a" * 5000 + '"}\n{"id": 2, "text": "They terrorised it."}\n',
                      encoding="utf-8")
    result = scan("--max-bytes", "4K", "--format", "json", str(corpus))
    document = json.loads(result.stdout)
    assert document["summary"]["errors"] == [f"{corpus}:1: record larger than --max-bytes (4 KiB); skipped"]
    assert [a["source"] for a in document["articles"]] == [f"{corpus}#2"]
    assert run_subprocess("scan", "--max-bytes", "lots", str(corpus)).returncode == 2
