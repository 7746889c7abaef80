"""The application layer: one Application, built from a configuration, runs a whole scan and
returns what happened; printing and exit codes are left to the face that called it."""

from __future__ import annotations

import io
import json
from contextlib import ExitStack
from pathlib import Path

import pytest
from helpers import REPO, SEED, run

from framecheck.app.config import Config
from framecheck.app.run import Application, RunSettings
from framecheck.core.errors import FramecheckError


class Recorded:
    """Events a face would show, kept for the test."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def error(self, message: str) -> None:
        self.errors.append(message)


def scan(config: Config, paths: list[str], settings: RunSettings = RunSettings(), fmt: str = "json"):
    events = Recorded()
    app = Application.from_config(config, events)
    stream = io.StringIO()
    with ExitStack() as stack:
        report_to = app.open_reports(stack, stream=stream, stream_format=fmt, files=[], stream_color=False,
                                     file_color=False, quiet=False)
        outcome = app.run(paths, settings, report_to)
    return app, outcome, stream.getvalue(), events


def test_a_run_returns_the_summary_the_gate_judged_and_writes_the_report(tmp_path: Path) -> None:
    calm = tmp_path / "calm.txt"
    calm.write_text("The council met on Monday and approved the budget.\n", encoding="utf-8")
    _, outcome, output, events = scan(Config(), [str(SEED), str(calm)])
    summary = outcome.summary
    assert summary.articles == 2 and summary.findings == 4 and not summary.errors
    assert [failure.source for failure in summary.failures] == [str(SEED)]
    assert [a["source"] for a in json.loads(output)["articles"]] == [str(SEED), str(calm)]
    assert events.errors == []


def test_an_unreadable_input_is_an_error_event_and_the_others_are_scanned(tmp_path: Path) -> None:
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01binary")
    _, outcome, _, events = scan(Config(), [str(binary), str(SEED)])
    assert outcome.summary.articles == 1 and len(outcome.summary.errors) == 1
    assert events.errors == outcome.summary.errors and "b.txt" in events.errors[0]
    _, skipped, _, events = scan(Config(), [str(binary), str(SEED)], RunSettings(skip_unreadable=True))
    assert skipped.summary.errors == [] and len(skipped.summary.skipped) == 1 and len(events.warnings) == 1


def test_statistics_and_baseline_entries_are_collected_when_asked(tmp_path: Path) -> None:
    app, outcome, _, _ = scan(Config(), [str(SEED)], RunSettings(statistics=True, record_baseline=True))
    assert outcome.statistics[("distrust-fakes-warning", "error", "distrust-call")] == 1
    assert outcome.statistics.total() == 4
    assert outcome.summary.failures == []  # recording a baseline accepts every finding
    assert app.write_baseline(str(tmp_path / "b.json"), outcome) == 4
    accepted = Config(baseline=str(tmp_path / "b.json"))
    _, again, _, _ = scan(accepted, [str(SEED)])
    assert again.summary.baselined == 4 and again.summary.failures == []


def test_include_exclude_and_named_files(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    for name in ("a.md", "drafts/b.md", "c.txt"):
        (tmp_path / name).write_text("They terrorised the town.\n", encoding="utf-8")
    config = Config(exclude=("drafts/**",), path=str(tmp_path / ".framecheck.yaml"))
    app = Application.from_config(config, Recorded())
    walked = sorted(Path(i.name).name for i in app.inputs([str(tmp_path)], RunSettings()))
    assert walked == ["a.md", "c.txt"]
    named = [Path(i.name).name for i in app.inputs([str(tmp_path / "drafts" / "b.md")], RunSettings())]
    assert named == ["b.md"]  # a file named explicitly is scanned whatever the globs say
    forced = Application.from_config(Config(exclude=("drafts/**",), force_exclude=True,
                                            path=str(tmp_path / ".framecheck.yaml")), Recorded())
    assert list(forced.inputs([str(tmp_path / "drafts" / "b.md")], RunSettings())) == []


def test_output_targets_are_checked_against_the_formats_there_are() -> None:
    app = Application.from_config(Config(format="json", output=("sarif=r.sarif", "plain.json")), Recorded())
    assert app.output_targets() == (None, [("sarif", "r.sarif"), ("json", "plain.json")])
    with pytest.raises(FramecheckError, match=r"--output jsn=r\.json: unknown format 'jsn' \(did you mean 'json'\?\)"):
        Application.from_config(Config(output=("jsn=r.json",)), Recorded()).output_targets()


@pytest.mark.parametrize(("path", "fmt"), [
    ("examples/obozrevatel-iran-russia-2023.txt", "json"),
    ("examples/obozrevatel-iran-russia-2023.txt", "sarif"),
    ("tests/data/seed.md", "json"),
    ("tests/data/seed.html", "json"),
])
def test_a_document_handed_over_as_bytes_gets_the_report_scan_writes_for_its_file(
        path: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a service or an editor integration calls: the same report, byte for byte, as
    ``framecheck scan --format FMT FILE`` for a file of that name and content."""
    monkeypatch.chdir(REPO)
    app = Application.from_config(Config(), Recorded())
    text, outcome = app.scan_bytes(path, (REPO / path).read_bytes(), fmt)
    assert text == run("scan", "--format", fmt, path).stdout
    assert outcome.summary.articles == 1 and outcome.summary.failures


def test_the_first_bytes_choose_the_reader_when_the_name_does_not() -> None:
    app = Application.from_config(Config(), Recorded())
    html = b"<!DOCTYPE html><html><body><nav>terrorised</nav><p>They terrorised the town.</p></body></html>"
    text, _ = app.scan_bytes("request", html)
    findings = json.loads(text)["articles"][0]["findings"]
    columns = [f["column"] for f in findings if f["rule_id"] == "loaded-verb-terrorise"]
    assert columns == [html.index(b"terrorised the") + 1]  # read as HTML: the <nav> is not prose


def test_bytes_that_cannot_be_read_are_an_error_not_a_report() -> None:
    events = Recorded()
    app = Application.from_config(Config(max_bytes=10), events)
    text, outcome = app.scan_bytes("big.txt", b"x" * 11)
    assert outcome.summary.articles == 0 and "larger than --max-bytes" in outcome.summary.errors[0]
    assert json.loads(text)["summary"]["errors"] == outcome.summary.errors and events.errors
    with pytest.raises(FramecheckError, match="format: unknown format 'jsn'"):
        app.scan_bytes("a.txt", b"calm", "jsn")
