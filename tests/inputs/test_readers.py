"""Readers: every format yields the text to scan and findings point into the file as opened."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DATA, SEED, run, run_json
from hypothesis import given, settings
from hypothesis import strategies as st

SEED_MD = DATA / "seed.md"
SEED_HTML = DATA / "seed.html"


def findings_of(path: Path, *args: str) -> list[dict]:
    (article,) = run_json(*args, str(path))["articles"]
    return article["findings"]


def assert_positions_point_into_source(path: Path, findings: list[dict], normalise=lambda s: s) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for finding in findings:
        line = lines[finding["line"] - 1]
        assert normalise(line[finding["column"] - 1 :]).startswith(finding["excerpt"].split()[0]), finding


@pytest.mark.parametrize("path", [SEED, SEED_MD, SEED_HTML], ids=["text", "markdown", "html"])
def test_the_seed_article_in_every_format_gives_the_same_devices(path: Path) -> None:
    found = {(f["rule_id"], f["excerpt"]) for f in findings_of(path)}
    assert found == {
        ("loaded-verb-terrorise", "terrorise"),
        ("unsourced-attribution", "It has also been reported that"),
        ("distrust-only-our-channel", "Only verified information is available in our"),
        ("distrust-fakes-warning", "Do not fall for fakes!"),
    }
    assert_positions_point_into_source(path, findings_of(path))


def test_markdown_front_matter_becomes_metadata_and_title_the_headline() -> None:
    (article,) = run_json(str(SEED_MD))["articles"]
    assert article["metadata"]["author"] == "Nadiya Danyshchuk"
    assert article["metadata"]["url"] == "https://news.obozrevatel.com/example"
    assert str(article["metadata"]["date"]) == "2023-07-26"
    assert article["metadata"]["title"].startswith("Iran remains Russia's main military backbone")


def test_markdown_emphasis_does_not_break_a_phrase_and_maps_back(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text("Intro line.\n\nReaders, **Do not fall** for fakes!\n", encoding="utf-8")
    (finding,) = findings_of(story, "--select", "distrust-fakes-warning")
    assert (finding["excerpt"], finding["line"], finding["column"]) == ("Do not fall for fakes!", 3, 12)


def test_markdown_code_link_targets_and_images_are_not_scanned(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text(
        "# Title\n\nSee [the report](https://example.org/terrorise) and `terrorise()`.\n\n"
        "![barbaric](barbaric.png)\n\n```\nterrorise barbaric\n```\n\n    terrorise indented code\n\n"
        "They ter\\rorised nobody, but *they terrorised* the town &amp; more.\n",
        encoding="utf-8",
    )
    found = findings_of(story)
    assert [(f["excerpt"], f["line"], f["column"]) for f in found] == [("terrorised", 13, 36)]


def test_html_skips_chrome_scripts_and_styles_and_decodes_entities() -> None:
    (article,) = run_json(str(SEED_HTML))["articles"]
    excerpts = [f["excerpt"] for f in article["findings"]]
    distrust = [f for f in article["findings"] if f["rule_id"] == "distrust-fakes-warning"]
    assert [f["excerpt"] for f in distrust] == ["Do not fall for fakes!"]  # the article's own line, not header/footer chrome
    assert "terrorise" in excerpts and len(excerpts) == 4  # not the one in <nav>, <style> or <script>
    assert article["metadata"] == {
        "author": "Nadiya Danyshchuk",
        "date": "2023-07-26T10:00:00Z",
        "url": "https://news.obozrevatel.com/example",
        "title": "Iran remains Russia's main military backbone: US comments on military partnership between Moscow and Tehran",
        "language": "en",  # <html lang="en">
    }
    assert article["language"] == "en"


def test_html_title_is_the_headline_when_there_is_no_h1(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Barbaric regime &amp; its lies</title></head>\n"
        "<body><p>The council met on Tuesday.</p></body></html>\n",
        encoding="utf-8",
    )
    (finding,) = findings_of(page, "--select", "loaded-adjective")
    assert (finding["excerpt"], finding["part"], finding["line"], finding["column"]) == ("Barbaric", "headline", 1, 20)


def test_html_entities_map_to_their_source_position(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>Caf&eacute; &ldquo;news&rdquo;: they\nterrorised &amp; looted.</p>", encoding="utf-8")
    (finding,) = findings_of(page, "--select", "loaded-verb-terrorise")
    assert (finding["excerpt"], finding["line"], finding["column"]) == ("terrorised", 2, 1)


def test_crlf_markdown_keeps_columns(tmp_path: Path) -> None:
    story = tmp_path / "crlf.md"
    story.write_bytes(b"# Headline\r\n\r\nThey **terrorised** the town.\r\n")
    (finding,) = findings_of(story)
    assert (finding["line"], finding["column"]) == (3, 8)


def test_structure_marks_headline_lede_and_attributed_quotes(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Barbaric attack on the capital\n\n"
        "Officials said on Monday that a barbaric attack had hit the capital overnight, killing four people.\n\n"
        "\"It was a barbaric act,\" Vedant Patel said.\n\n"
        "\"They terrorised us,\" a resident said.\n\n"
        "\"They terrorised the town,\" a senior official said.\n\n"
        "The attack was barbaric, the council said.\n",
        encoding="utf-8",
    )
    placed = [(f["excerpt"], f["part"], f["quote"]) for f in findings_of(story)]
    assert ("Barbaric", "headline", None) in placed
    assert ("barbaric", "lede", None) in placed
    assert ("barbaric", "body", {"speaker": "Vedant Patel"}) in placed
    assert ("terrorised", "body", {"speaker": "a resident"}) in placed  # nobody named, but a person described
    assert ("terrorised", "body", {"speaker": None}) in placed  # an anonymous source is nobody's: the outlet's
    assert ("barbaric", "body", None) in placed


def test_a_quote_over_line_breaks_is_a_quote_but_never_over_a_blank_line(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Barbaric attack on the capital\n\n"
        "“It was a barbaric act.\nThey terrorised us,” Vedant Patel said.\n\n"  # one sentence a line, as in corpora
        "The mayor called it \"a\n\nbarbaric\" act.\n\n"  # a blank line: no quotation
        "Reports said \"\nbarbaric\" scenes followed.\n",  # a mark before a line break opens nothing
        encoding="utf-8",
    )
    placed = [(f["excerpt"], f["line"], f["quote"]) for f in findings_of(story) if f["technique"] != "repetition"]
    assert ("barbaric", 3, {"speaker": "Vedant Patel"}) in placed
    assert ("terrorised", 4, {"speaker": "Vedant Patel"}) in placed
    assert ("barbaric", 8, None) in placed
    assert ("barbaric", 11, None) in placed


def test_trailing_site_chrome_is_reported_but_not_scored(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    seed = SEED.read_text(encoding="utf-8")
    story.write_text(seed.replace("Classic truffle cake", "Barbaric truffle cake"), encoding="utf-8")
    (article,) = run_json(str(story))["articles"]
    chrome = [f for f in article["findings"] if f["part"] == "boilerplate"]
    assert [f["excerpt"] for f in chrome] == ["Barbaric", "Barbaric"]
    assert {f["excerpt"] for f in article["findings"] if f["part"] == "body"} >= {"Do not fall for fakes!"}
    (seed_article,) = run_json(str(SEED))["articles"]
    assert article["score"]["total_weight"] == seed_article["score"]["total_weight"]


def test_jsonl_corpus_names_records_file_hash_id(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {"id": "a1", "text": "They terrorised the town.", "title": "One", "outlet": "X"},
        {"id": "a2", "body": "no text field here"},
        {"text": "Sources say the plant is ready."},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n", encoding="utf-8")
    result = run("scan", "--format", "json", str(corpus))
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [a["source"] for a in data["articles"]] == [f"{corpus}#a1", f"{corpus}#3"]
    assert data["articles"][0]["metadata"] == {"id": "a1", "title": "One", "outlet": "X"}
    assert result.stderr.splitlines() == [
        f"framecheck: error: {corpus}:2: record has no text field 'text'; skipped",
        f"framecheck: error: {corpus}:4: invalid JSON (Expecting property name enclosed in double quotes); record skipped",
    ]


def test_jsonl_and_csv_with_custom_fields(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.csv"
    corpus.write_text('slug,body\nfirst,"They terrorised\nthe town."\nsecond,Nothing here.\n', encoding="utf-8")
    data = run_json("--text-field", "body", "--id-field", "slug", str(corpus))
    assert [a["source"] for a in data["articles"]] == [f"{corpus}#first", f"{corpus}#second"]
    assert data["articles"][0]["findings"][0]["excerpt"] == "terrorised"
    missing = run("scan", str(corpus))
    assert missing.exit_code == 2
    assert missing.stderr == f"framecheck: error: {corpus}: no column 'text' (columns: slug, body)\n"


def test_stdin_uses_the_reader_of_its_filename_or_input_format() -> None:
    markdown = "Intro.\n\n**Do not fall** for fakes!\n"
    result = run("scan", "--stdin-filename", "draft.md", "-", input=markdown)
    assert result.stdout.startswith("draft.md:3:3: error distrust-fakes-warning")
    forced = run("scan", "--input-format", "markdown", "-", input=markdown)
    assert forced.stdout.startswith("<stdin>:3:3: error distrust-fakes-warning")
    bad = run("scan", "--input-format", "docx", "-", input="")
    assert bad.exit_code == 2 and "unknown format 'docx' (available: csv, html, jsonl, markdown, text)" in bad.stderr


def test_unknown_extensions_are_sniffed(tmp_path: Path) -> None:
    page = tmp_path / "page.php"
    page.write_text("<!DOCTYPE html><html><body><script>terrorise()</script><p>Fine.</p></body></html>", encoding="utf-8")
    corpus = tmp_path / "dump.out"
    corpus.write_text('{"id": 1, "text": "They terrorised the town."}\n', encoding="utf-8")
    data = run_json(str(page), str(corpus))
    assert [(a["source"], len(a["findings"])) for a in data["articles"]] == [(str(page), 0), (f"{corpus}#1", 1)]


def _peak_rss_kib(command: list[str]) -> int:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1
    return usage.ru_maxrss


@pytest.mark.slow
def test_a_jsonl_corpus_streams_in_memory_independent_of_its_size(tmp_path: Path) -> None:
    article = SEED.read_text(encoding="utf-8")
    peaks = {}
    for lines in (500, 5000):
        corpus = tmp_path / f"corpus{lines}.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            for index in range(lines):
                handle.write(json.dumps({"id": index, "text": article}) + "\n")
        command = [sys.executable, "-m", "framecheck", "scan", "--format", "json", str(corpus)]
        peaks[lines] = _peak_rss_kib(command)
    print(f"\npeak RSS: 500 records {peaks[500] / 1024:.1f} MiB, 5,000 records {peaks[5000] / 1024:.1f} MiB")
    assert peaks[5000] < peaks[500] * 1.25


def test_walking_a_folder_reads_articles_not_corpora(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text("They terrorised the town.\n", encoding="utf-8")
    (tmp_path / "figures.csv").write_text("year,count\n2023,4\n", encoding="utf-8")
    (tmp_path / "dump.jsonl").write_text('{"id": 1, "text": "They terrorised it."}\n', encoding="utf-8")
    result = run("scan", "--format", "json", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"framecheck: check failed: {tmp_path / 'story.md'}: 1 finding at or above warning\n"
    assert [a["source"] for a in json.loads(result.stdout)["articles"]] == [str(tmp_path / "story.md")]


def test_the_speaker_prefilter_knows_every_speech_verb() -> None:
    """Quotes skip the speaker patterns when no verb stem is near; every verb needs a stem."""
    from framecheck.inputs.structure import quotations
    from framecheck.languages.profiles import bundled_languages

    languages = bundled_languages()
    for language in languages.profiles:
        verbs = language.words_of("speech", "verbs")
        assert verbs, language.code
        for verb in verbs:  # each verb, in a window of its own, is searched with its script's verbs
            window = f" {verb} Ana Ruiz"
            assert languages.speech_verbs_in(window) is not None, (language.code, verb)
    text = '"We will rebuild," Mayor Ana Ruiz STRESSED. Critics called it a "miracle" plan.'
    found = quotations(text, [(0, len(text))])
    assert [(text[q.start:q.end], q.label) for q in found] == [('"We will rebuild,"', "Mayor Ana Ruiz"), ('"miracle"', "")]


@pytest.mark.parametrize(("text", "speaker"), [
    ('"Tanks have reportedly moved," said analyst Jane Roe.', "Jane Roe"),
    ('"Tanks moved," said former defence minister Jo Park, who now advises the army.', "Jo Park"),
    ('"Tanks moved," he said in an interview with CNN.', ""),  # CNN is where, not who
    ('"Tanks moved," said last Tuesday.', ""),
    ("«Танки перебросили», — заявил министр обороны Сергей Шойгу.", "Сергей Шойгу"),
    ("«Танки перебросили», — заявил он в интервью BBC.", ""),
    # a person described is a speaker; a vague crowd or an anonymous source is not (issue 27)
    ('"We are damned if we stay," one soldier joked.', "one soldier"),
    ('"Tanks moved," critics said.', ""),
    ('"Tanks moved," a senior official said.', ""),
])
def test_a_role_between_the_speech_verb_and_the_name_is_not_the_name(text: str, speaker: str) -> None:
    from framecheck.inputs.structure import quotations

    (quote,) = quotations(text, [(0, len(text))])
    assert quote.label == speaker


def test_attribution_inside_an_analysts_quotation_is_hers(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text('"The army has reportedly moved its tanks," said analyst Jane Roe.\n', encoding="utf-8")
    (finding,) = json.loads(run("scan", "--format", "json", str(story)).stdout)["articles"][0]["findings"]
    assert (finding["excerpt"], finding["quote"]) == ("reportedly", {"speaker": "Jane Roe"})


def test_quotation_marks_pair_within_limits() -> None:
    from framecheck.inputs.structure import MAX_QUOTE, quotations

    long_quote = '"' + "word " * (MAX_QUOTE // 5) + 'end"'
    text = f'Empty "" marks. A "short" one. {long_quote} «Ще одна» і „ось“.\n\nSplit "over\n\nblank" lines.'
    spans = [text[q.start:q.end] for q in quotations(text, [(0, text.index("\n\n")), (text.index("Split"), len(text))])]
    # "" is no quotation; its closing mark opens none either (no closing mark before " short")
    assert spans == ['"short"', "«Ще одна»", "„ось“"]
    assert len(long_quote) - 2 > MAX_QUOTE


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab “”"«»„ \n\t')), max_size=40))
def test_quotation_spans_are_those_of_a_bounded_pattern(text: str) -> None:
    """The possessive pattern with its length checked afterwards finds what one bounded
    repeat of single characters finds (the definition), here with a limit of 6 characters."""
    import regex as regex_module

    from framecheck.inputs import structure

    limit = 6
    body = r"(?:[^{marks}\n]|\n(?![ \t]*\n)){{1,{limit}}}"
    bounded = regex_module.compile("|".join(
        f"{o}(?=\\S){body.format(marks=marks, limit=limit)}(?<=\\S){c}"
        for o, c, marks in (("“", "”", "“”"), ('"', '"', '"'), ("«", "»", "«»"), ("„", "“", "„“"))))
    original = structure.MAX_QUOTE
    structure.MAX_QUOTE = limit
    try:
        assert list(structure.quotation_spans(text)) == [m.span() for m in bounded.finditer(text)]
    finally:
        structure.MAX_QUOTE = original


def test_quote_speakers_are_found_when_read_in_any_order() -> None:
    """A pronoun speaker takes the last named one before it, even when later quotes are read first."""
    from framecheck.inputs.structure import quotations

    text = ('"We start," Mayor Ana Ruiz said. "We go on," she said. "Not so," critics said. "We finish," she added. '
            '"Done," said Jo Park. "Really," he said.')
    blocks = [(0, len(text))]
    in_order = [(q.start, q.label) for q in quotations(text, blocks)]
    ruiz = "Mayor Ana Ruiz"
    assert [label for _, label in in_order] == [ruiz, ruiz, "", ruiz, "Jo Park", "Jo Park"]
    backwards = quotations(text, blocks)
    assert [(q.start, q.label) for q in reversed(backwards)] == in_order[::-1]
    untouched = quotations(text, blocks)
    assert untouched[3].label == ruiz and "label" not in vars(untouched[0])  # only what was asked is worked out
    copied = pickle.loads(pickle.dumps(untouched))  # as reports come back from --jobs workers
    assert [(q.start, q.end, q.label) for q in copied] == [(q.start, q.end, q.label) for q in untouched]

def test_sentence_around_agrees_with_splitting_the_whole_text() -> None:
    import bisect

    from framecheck.inputs.structure import sentence_around, sentences

    text = SEED.read_text(encoding="utf-8") + "\n\nDr. Who said so. U.S. officials agree! “Yes?” No.\n"
    bounds = list(sentences(text))
    starts = [start for start, _ in bounds]
    checked = 0
    for offset, char in enumerate(text):
        if char.isalnum():
            assert sentence_around(text, offset, offset + 1, reach=300) == bounds[bisect.bisect_right(starts, offset) - 1]
            checked += 1
    assert checked > 1500


def test_reading_at_most_a_limit_reads_whole_files_grown_or_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from framecheck.inputs import readers

    path = tmp_path / "a.txt"
    path.write_bytes(b"0123456789" * 3)
    with path.open("rb") as stream:
        assert readers._read_at_most(stream, 100) == b"0123456789" * 3
    with path.open("rb") as stream:
        assert readers._read_at_most(stream, 11) == b"01234567890"  # one past the limit tells it is over
    assert readers._read_at_most(io.BytesIO(b"piped text"), 5) == b"piped"  # no file size to go by
    real_fstat = os.fstat

    class Shrunk:  # the size seen before the file grew
        def __init__(self, fd: int) -> None:
            self.st_size = real_fstat(fd).st_size - 12

    monkeypatch.setattr(readers.os, "fstat", Shrunk)
    with path.open("rb") as stream:
        assert readers._read_at_most(stream, 100) == b"0123456789" * 3
    with path.open("rb") as stream:
        assert readers._read_at_most(stream, 25) == (b"0123456789" * 3)[:25]
