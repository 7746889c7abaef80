"""What plugins contribute besides detectors, taken or left out one by one; and the one place a
configuration becomes engine options."""

from __future__ import annotations

import io

from framecheck import Formatter, hookimpl
from framecheck.app.components import Fanout, formatter_classes, reader_objects
from framecheck.app.config import Config
from framecheck.app.options import engine_for
from framecheck.core.model import Severity
from framecheck.core.summary import RunSummary
from framecheck.engine.plugins import get_plugin_manager


class Broken:
    @hookimpl
    def framecheck_readers(self):
        return ["not a reader"]

    @hookimpl
    def framecheck_formatters(self):
        raise RuntimeError("boom")


class Counts(Formatter):
    name = "counts"

    def article(self, report) -> None:
        self.stream.write(f"{len(report.findings)}\n")


def test_unusable_contributions_are_left_out_with_a_warning_naming_the_plugin() -> None:
    manager = get_plugin_manager(autoload=False)
    manager.register(Broken(), name="broken-plugin")
    warnings: list[str] = []
    readers = reader_objects(manager, warnings.append)
    formats = formatter_classes(manager, warnings.append)
    assert {reader.name for reader in readers} >= {"text", "markdown", "html", "jsonl", "csv"}
    assert {"json", "sarif", "html"} <= set(formats)
    assert len(warnings) == 2 and all("broken-plugin" in w for w in warnings)
    assert any("boom" in w and "its formats are unavailable" in w for w in warnings)


def test_a_fanout_hands_every_call_to_every_formatter() -> None:
    streams = [io.StringIO(), io.StringIO()]
    fanout = Fanout([Counts(stream) for stream in streams])
    fanout.start()

    class Report:
        findings = [1, 2]

    fanout.article(Report())
    fanout.finish(RunSummary())
    assert [s.getvalue() for s in streams] == ["2\n", "2\n"]


def test_engine_options_come_from_the_configuration_alone() -> None:
    config = Config(select=("distrust-call",), severity={"distrust-call": "warning"}, regex_timeout=3.0,
                    language="uk", require_reason=True)
    engine, _manager = engine_for(config)
    assert engine.selection.select == frozenset({"distrust-call"})
    assert engine.options.regex_timeout == 3.0 and engine.options.language == "uk"
    assert engine.suppression_policy.require_reason
    assert {rule.info.technique for pack in engine.packs for rule in pack.rules} == {"distrust-call"}
    assert engine.severity_overrides == {"distrust-call": Severity.WARNING}
