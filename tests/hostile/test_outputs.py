"""Interrupted runs: exit 130 with one line, and never a truncated report."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

SLOW_PLUGIN = """
import time
from pathlib import Path
from framecheck import hookimpl

class Slow:
    name = "slow"
    rules = ()
    def detect(self, document):
        Path(__file__).with_name("started").touch()
        time.sleep(0.2)
        return []

@hookimpl
def framecheck_detectors():
    return [Slow()]
"""


def start_slow_scan(tmp_path: Path, inputs: Path, *extra: str) -> subprocess.Popen:
    plugin = tmp_path / "slow_plugin.py"
    plugin.write_text(SLOW_PLUGIN, encoding="utf-8")
    for index in range(100):
        (inputs / f"story{index:03}.txt").write_text("They terrorised the town.\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "framecheck", "scan", "--plugin", str(plugin), *extra, str(inputs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "started").exists():
        assert time.monotonic() < deadline and process.poll() is None, "the scan never started"
        time.sleep(0.02)
    return process


def test_ctrl_c_exits_130_with_one_line_and_keeps_the_old_report(tmp_path: Path, inputs: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"old": "report"}\n', encoding="utf-8")
    process = start_slow_scan(tmp_path, inputs, "--format", "json", "--output", str(report))
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == "framecheck: interrupted\n"
    assert report.read_text(encoding="utf-8") == '{"old": "report"}\n'
    assert not list(tmp_path.glob(".report.json.*")), "the temporary report must be removed"


def test_a_killed_run_leaves_no_partial_report(tmp_path: Path, inputs: Path) -> None:
    report = tmp_path / "report.json"
    process = start_slow_scan(tmp_path, inputs, "--format", "json", "--output", str(report))
    time.sleep(0.5)
    process.kill()
    process.communicate(timeout=60)
    assert not report.exists()  # only a hidden temporary file may remain, never a truncated report


def test_a_completed_run_replaces_the_report_whole(tmp_path: Path, inputs: Path) -> None:
    import json

    report = tmp_path / "report.json"
    report.write_text("old", encoding="utf-8")
    (inputs / "story.txt").write_text("They terrorised the town.\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "framecheck", "scan", "--format", "json", "-o", str(report), str(inputs)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["findings"] == 1


def test_an_unwritable_report_path_is_one_line_error(tmp_path: Path, inputs: Path) -> None:
    (inputs / "story.txt").write_text("They terrorised the town.\n", encoding="utf-8")
    for target, reason in ((tmp_path / "missing" / "r.json", "No such file or directory"), (tmp_path, "is a directory")):
        result = subprocess.run(
            [sys.executable, "-m", "framecheck", "scan", "-o", str(target), str(inputs)],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 2
        assert result.stderr == f"framecheck: error: {target}: cannot write the report: {reason}\n"
