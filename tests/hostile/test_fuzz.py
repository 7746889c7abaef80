"""Fuzzing the whole pipeline: any bytes, through every reader, the engine and every formatter.

Hypothesis builds files out of markup, corpus syntax, hostile characters and arbitrary text;
each is read by each reader, scanned, and written in every format. Nothing may raise; every
JSON output must be strict JSON (no NaN) that parses back; every text output must be free of
terminal control characters; spans must lie in the text and match their excerpts.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from helpers import make_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framecheck.app.parallel import read_safely, scan_safely
from framecheck.core.errors import InputError
from framecheck.core.summary import RunSummary
from framecheck.core.surrogates import printable
from framecheck.engine.builtin import CorePlugin
from framecheck.inputs.readers import Input, ReaderSet, ReadOptions
from framecheck.inputs.walk import NotAnArticle, collect_inputs

ENGINE = make_engine()
FORMATTERS = CorePlugin().framecheck_formatters()
READERS = CorePlugin().framecheck_readers()
JSON_FORMATS = {"json", "sarif"}
TERMINAL_FORMATS = {"text", "concise", "github", "annotated"}

PIECES = [
    # prose that triggers the shipped rules
    "They terrorised the town. ", "It has also been reported that ", "Do not fall for fakes!", '"We will win!" he said. ',
    "Other News\n\n", "framecheck: ignore[loaded-language] reason=\"x\"\n", "<!-- framecheck: ignore -->",
    "framecheck: ignroe[x]", "Vedant Patel stated ",
    # markup
    "<p>", "</p>", "<h1>", "</h1>", "<blockquote>", "</blockquote>", "<script>alert(1)</script>", "<!--", "-->",
    "<![CDATA[", "&#99999999999;", "&amp;", "&#x110000;", "<a href='", "</div>", "<header>", "# ", "> ", "- ",
    "**", "`", "```\n", "---\ntitle: x\n---\n", "[", "](", ")",
    "<title>", "</title>", "<meta name='author' content='A. Writer'>", "<meta property='og:title' content='T'>",
    "<link rel='canonical' href='https://example.org/a'>", "<article>", "</article>", "<main>", "<nav>", "</nav>",
    "<footer>", "</footer>", "<aside>", "<br>", "<img src=x/>", "<q>", "</q>", "<h2>", "</h2>", "&nbsp;", "<style>",
    "</style>", "<br/>", "<p/>", "&#65;", "&#x41;", "&bogus;",
    "---\ntitle: A witch hunt\nauthor: x\ndate: 2024-01-01\n---\n", "---\n- a\n---\n", "---\n[\n---\n",
    "# A witch hunt\n", "\n\n", "    code\n", "* item\n", "1. item\n", "![img](x)", "[link](http://x)",
    # corpus syntax
    '{"id": 1, "text": "', '"}', "\n", '{"text": NaN}', "id,text\n", '"a,b",', "1e999",
    # hostile characters
    "\x00", "\x1b[2J", "\x07", "\u202e", "\u00ad", "\u200b", "\ud800", "\r", "\r\n", "\t", "\ufeff", "İ", "ß", "😀",
    "\u0435", "“", "”", "«", "»",
]
DOCUMENTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map("".join)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])


def as_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates reach the file as bytes that are not UTF-8


def reports_of(path: Path, reader_name: str | None):
    readers = ReaderSet(READERS, ReadOptions(input_format=reader_name, max_bytes=2**20))
    for item in read_safely(readers, Input(str(path), path)):
        yield item if isinstance(item, InputError) else scan_safely(ENGINE, item)


# A reader by name, or none: the extension, then sniffing the first bytes, choose.
CHOICES = st.one_of(
    st.tuples(st.sampled_from([reader.name for reader in READERS]), st.just("")),
    st.tuples(st.none(), st.sampled_from(["", ".txt", ".md", ".html", ".htm", ".jsonl", ".csv", ".xyz"])),
)
BOMS = st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])
SCALARS = st.one_of(st.text(max_size=5), st.integers(), st.floats(), st.booleans(), st.none())
RECORDS = st.dictionaries(st.sampled_from(["id", "text", "title", "author", "x"]),
                          st.one_of(SCALARS, DOCUMENTS, st.lists(SCALARS, max_size=2)), max_size=5)


def jsonl_of(records: list[dict], broken: list[str]) -> str:
    lines = [json.dumps(record, ensure_ascii=False) for record in records] + broken
    return "\n".join(lines) + "\n"


def csv_of(rows: list[dict]) -> str:
    import csv

    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=["id", "text", "title"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows({key: str(value) for key, value in row.items()} for row in rows)
    return stream.getvalue()


# Every reader gets inputs in its own syntax, and every reader gets any input.
INPUTS = st.one_of(
    st.tuples(DOCUMENTS, CHOICES, BOMS),
    st.tuples(st.builds(jsonl_of, st.lists(RECORDS, max_size=4), st.lists(st.sampled_from(PIECES), max_size=2)),
              st.sampled_from([("jsonl", ""), (None, ".jsonl"), (None, "")]), st.just(b"")),
    st.tuples(st.builds(csv_of, st.lists(RECORDS, max_size=4)), st.sampled_from([("csv", ""), (None, ".csv")]),
              st.sampled_from([b"", b"\xef\xbb\xbf"])),
    st.tuples(DOCUMENTS.map(lambda text: "<html><body><article>" + text + "</article></body></html>"),
              st.sampled_from([("html", ""), (None, ".html"), (None, "")]), st.just(b"")),
    st.tuples(DOCUMENTS.map(lambda text: "---\ntitle: T\n---\n\n# Head\n\n" + text),
              st.sampled_from([("markdown", ""), (None, ".md"), (None, "")]), st.just(b"")),
)


@pytest.mark.slow
@SETTINGS
@given(case=INPUTS)
def test_any_file_through_any_reader_into_every_format(tmp_path_factory, case: tuple) -> None:
    text, choice, bom = case
    reader, extension = choice
    path = tmp_path_factory.mktemp("fuzz") / f"doc{extension}"
    path.write_bytes(bom + as_bytes(text))
    results = list(reports_of(path, reader))
    summary = RunSummary()
    reports = []
    for result in results:
        if isinstance(result, InputError):
            summary.errors.append(printable(str(result)))  # as the command line keeps it
            continue
        assert "internal error" not in " ".join(result.warnings)
        summary.add(result)
        reports.append(result)
        for finding in result.findings:
            assert 0 <= finding.start < finding.end <= len(result.document.text)
            assert result.document.text[finding.start : finding.end] == finding.excerpt
    assert not any("internal error" in error for error in summary.errors), summary.errors
    for formatter_class in FORMATTERS:
        stream = io.StringIO()
        formatter = formatter_class(stream, rules=ENGINE.rules())
        formatter.start()
        for report in reports:
            formatter.article(report)
        formatter.finish(summary)
        output = stream.getvalue()
        output.encode("utf-8")  # nothing a UTF-8 report cannot hold
        name = formatter_class.name
        if name in JSON_FORMATS:
            json.loads(output, parse_constant=_refuse)
        elif name == "jsonl":
            for line in output.splitlines():  # a record is one line for any line reader
                json.loads(line, parse_constant=_refuse)
        if name in TERMINAL_FORMATS:
            assert not any(ord(char) < 0x20 and char not in "\n\t" for char in output), name
            assert "\x1b" not in output and "\u202e" not in output and "\x7f" not in output


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} in a JSON report")


NAMES = st.text(alphabet=st.sampled_from("ab.-_ \u00e9\u202e\n"), min_size=1, max_size=6).filter(
    lambda name: name not in (".", "..") and "/" not in name
)
TREES = st.dictionaries(st.lists(NAMES, min_size=1, max_size=3).map(tuple),
                        st.sampled_from([".txt", ".md", ".html", ".csv", ".jsonl", ".py"]), max_size=12)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES)
def test_a_walk_finds_every_article_file_once_in_order(tmp_path_factory, tree: dict) -> None:
    """Whatever the names (spaces, accents, bidi controls, line breaks, leading dots), a folder
    walk yields each visible article file exactly once, sorted, and counts the other visible files."""
    root = tmp_path_factory.mktemp("tree")
    expected, passed_over = [], []
    for parts, extension in tree.items():
        *folders, name = parts
        folder = root.joinpath(*folders)
        if any(part.startswith(".") for part in folders) or (folder.exists() and not folder.is_dir()):
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{name}{extension}"
            if target.exists():
                continue
            target.write_text("They terrorised the town.\n", encoding="utf-8")
        except (NotADirectoryError, FileExistsError, IsADirectoryError):
            continue
        if not name.startswith(".") and extension in (".txt", ".md", ".html"):
            expected.append(str(target))
        elif not name.startswith("."):
            passed_over.append(str(target))
    readers = ReaderSet(READERS, ReadOptions())
    found = [item for item in collect_inputs([str(root)], readers.extensions, respect_gitignore=True)]
    names = [item.name for item in found if isinstance(item, Input)]
    assert not [item for item in found if not isinstance(item, (Input, NotAnArticle))]
    assert sorted(names) == sorted(expected) and len(set(names)) == len(names)
    assert sorted(str(item.where) for item in found if isinstance(item, NotAnArticle)) == sorted(passed_over)
    # Named paths: a file is read whatever its extension, a missing one is an error, and a
    # file named twice (or also found by the walk) is read once.
    named = [str(root / "missing.md"), *expected[:1], *expected[:1], "-"]
    again = list(collect_inputs(named, readers.extensions, stdin_name="<stdin>"))
    assert str(again[0]) == f"{root / 'missing.md'}: no such file or directory"
    assert [item.name for item in again[1:]] == [*expected[:1], "<stdin>"]
