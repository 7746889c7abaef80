"""Reports for CI systems other than GitHub's: GitLab Code Quality and JUnit XML.

GitLab shows a Code Quality report (a JSON array of issues with a check name, a severity, a
fingerprint and a location) in merge requests; Jenkins, GitLab, Azure DevOps and most CI
dashboards read JUnit XML, where a failed test case is a finding. Both hold only what they can
show: active findings, the waived and baselined ones as skipped test cases in JUnit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..core.model import ArticleReport, Finding, Severity
from ..core.summary import RunSummary
from .base import Formatter
from .sarif import repository_uri

GITLAB_SEVERITY = {Severity.INFO: "info", Severity.WARNING: "minor", Severity.ERROR: "major"}


@functools.cache
def _not_xml() -> re.Pattern:
    """Characters XML 1.0 cannot hold at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF);
    compiled on first use (5 ms: it would cost every run's start)."""
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _not_xml().sub("\ufffd", text)


class GitlabFormatter(Formatter):
    """GitLab Code Quality: a JSON array, one issue per active finding, paths from the working directory."""

    name = "gitlab"
    description = "GitLab Code Quality report (JSON; artifacts:reports:codequality)"

    def start(self) -> None:
        self.root = Path.cwd()
        self.issues: list[dict[str, Any]] = []

    def article(self, report: ArticleReport) -> None:
        path = repository_uri(report.source, self.root)
        for finding in report.active_findings:
            self.issues.append(self._issue(finding, path, report.source))

    def _issue(self, finding: Finding, path: str, source: str) -> dict[str, Any]:
        # GitLab compares fingerprints across pipelines to tell new issues from fixed ones: the
        # finding's own fingerprint already survives edits elsewhere in the article.
        fingerprint = hashlib.sha256(f"{path}\0{source}\0{finding.fingerprint}".encode()).hexdigest()
        return {
            "description": f"{finding.message}: \"{finding.excerpt}\"{finding.context_note}",
            "check_name": finding.rule_id,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[finding.severity],
            "categories": ["Style"],
            "location": {"path": path, "lines": {"begin": finding.line, "end": max(finding.line, finding.end_line)}},
        }

    def finish(self, summary: RunSummary) -> None:
        self.stream.write(json.dumps(self.issues, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


class JunitFormatter(Formatter):
    """JUnit XML: a test suite per article, a failed test case per active finding."""

    name = "junit"
    description = "JUnit XML: a test suite per article, a failing test case per finding"

    def start(self) -> None:
        from xml.etree import ElementTree  # imported on use: few runs write JUnit

        self.tree = ElementTree
        self.root_element = ElementTree.Element("testsuites", name="framecheck")

    def article(self, report: ArticleReport) -> None:
        source = _xml_text(report.source)
        suite = self.tree.SubElement(self.root_element, "testsuite", name=source)
        failures = skipped = 0
        for finding in report.findings:
            case = self.tree.SubElement(suite, "testcase", name=f"{finding.rule_id} {finding.line}:{finding.column}",
                                          classname=source, file=source, line=str(finding.line))
            if finding.active:
                failures += 1
                failure = self.tree.SubElement(case, "failure", type=finding.severity.label,
                                                 message=_xml_text(f"{finding.message}: \"{finding.excerpt}\""))
                failure.text = _xml_text(f"{source}:{finding.line}:{finding.column}: {finding.severity.label} "
                                         f"{finding.rule_id} ({finding.technique}){finding.context_note}")
            else:
                skipped += 1
                why = "in the baseline" if finding.baselined else f"waived: {finding.suppression.reason or 'no reason'}"
                self.tree.SubElement(case, "skipped", message=_xml_text(why))
        if not report.findings:  # a clean article is one passing test case, so it shows as checked
            self.tree.SubElement(suite, "testcase", name="framecheck", classname=source, file=source)
        tests = max(len(report.findings), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
        suite.set("errors", "0")

    def finish(self, summary: RunSummary) -> None:
        for error in summary.errors:  # an input that could not be read is an error, not a pass
            suite = self.tree.SubElement(self.root_element, "testsuite", name="framecheck inputs", tests="1",
                                           failures="0", errors="1", skipped="0")
            case = self.tree.SubElement(suite, "testcase", name="read", classname="framecheck inputs")
            self.tree.SubElement(case, "error", message=_xml_text(error))
        suites = list(self.root_element)
        for total in ("tests", "failures", "errors", "skipped"):
            self.root_element.set(total, str(sum(int(suite.get(total, "0")) for suite in suites)))
        self.tree.indent(self.root_element)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(self.tree.tostring(self.root_element, encoding="unicode") + "\n")
