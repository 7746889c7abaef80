"""What the GitHub Action (``action.yml``) runs: its inputs made into one ``framecheck scan``,
the scan's results made into step outputs and a job summary.

The inputs arrive as environment variables and are split here, not by a shell: ``args`` as a
POSIX shell would split words (quotes group, a backslash escapes) but never globbed, so
``--exclude wire/*.md`` reaches the scan as a glob and ``--exclude "a b.md"`` as one path;
``paths`` one per line, or, on a single line, split the same way. An input that is not given
adds nothing, so ``fail-on`` in the newsroom's configuration holds unless the workflow sets it.

GitHub shows at most 10 annotations of each type per step; the job summary therefore carries
the whole Markdown report, and the outputs (``failed``, ``exit-code``, ``articles``,
``findings``, ``errors``, ``worst-score``, ``sarif-file``) let later steps decide.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

ANNOTATIONS_SHOWN = 10  # GitHub's cap per annotation type and step


def split_paths(value: str) -> list[str]:
    """The ``paths`` input: one path per line, or words of a single line; "." when empty."""
    if "\n" in value.strip():
        paths = [line.strip() for line in value.splitlines() if line.strip()]
    else:
        paths = shlex.split(value)
    return paths or ["."]


def sarif_file(environ: Mapping[str, str]) -> str:
    """The ``sarif-file`` input, or its default."""
    return environ.get("FRAMECHECK_SARIF", "").strip() or "framecheck.sarif"


def scan_command(environ: Mapping[str, str], json_report: Path, markdown_report: Path) -> list[str]:
    """The scan the inputs ask for, writing the reports this runner reads afterwards."""
    sarif = sarif_file(environ)
    command = [sys.executable, "-m", "framecheck", "scan", "--format", "github", "--output", f"sarif={sarif}",
               "--output", f"json={json_report}", "--output", f"markdown={markdown_report}"]
    for option, variable in (("--fail-on", "FRAMECHECK_FAIL_ON"), ("--min-severity", "FRAMECHECK_MIN_SEVERITY")):
        value = environ.get(variable, "").strip()
        if value:
            command += [option, value]
    return [*command, *shlex.split(environ.get("FRAMECHECK_ARGS", "")), "--",
            *split_paths(environ.get("FRAMECHECK_PATHS", ""))]


def outputs(exit_code: int, report: dict | None, sarif: str) -> dict[str, str]:
    """The step's outputs, from the scan's exit code and JSON report (None: it wrote none)."""
    summary = (report or {}).get("summary", {})
    scores = [article["score"]["value"] for article in (report or {}).get("articles", [])]
    return {
        "exit-code": str(exit_code),
        "failed": "true" if exit_code != 0 else "false",
        "articles": str(summary.get("articles", 0)),
        "findings": str(summary.get("findings", 0)),
        "errors": str(len(summary.get("errors", [])) + len(summary.get("incomplete", []))),
        "worst-score": f"{max(scores):g}" if scores else "",
        "sarif-file": sarif,
    }


def job_summary(exit_code: int, report: dict | None, markdown: str) -> str:
    """What the job summary page shows: the verdict, the annotation cap when it bites, the report."""
    verdict = {0: "passed", 1: "failed: findings or scores over the limits"}.get(
        exit_code, "could not run completely (exit code 2): see the step's log")
    lines = [f"**framecheck check {verdict}**", ""]
    findings = (report or {}).get("summary", {}).get("findings", 0)
    if findings > ANNOTATIONS_SHOWN:
        lines += [f"GitHub shows at most {ANNOTATIONS_SHOWN} annotations of each type in a step; all {findings} "
                  "findings are in the report below and in the SARIF file.", ""]
    return "\n".join(lines) + "\n" + markdown


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def main(environ: Mapping[str, str] = os.environ) -> int:
    """Run the scan, then write the outputs and the summary; the scan's exit code."""
    with tempfile.TemporaryDirectory(prefix="framecheck-action-") as work:
        json_report, markdown_report = Path(work) / "report.json", Path(work) / "report.md"
        exit_code = subprocess.run(scan_command(environ, json_report, markdown_report), check=False).returncode
        report = json.loads(json_report.read_text(encoding="utf-8")) if json_report.is_file() else None
        markdown = markdown_report.read_text(encoding="utf-8") if markdown_report.is_file() else ""
    sarif = sarif_file(environ)
    _append(environ.get("GITHUB_OUTPUT"), "".join(f"{key}={value}\n" for key, value in outputs(exit_code, report,
                                                                                                  sarif).items()))
    _append(environ.get("GITHUB_STEP_SUMMARY"), job_summary(exit_code, report, markdown))
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
