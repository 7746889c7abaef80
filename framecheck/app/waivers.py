"""Writing waivers into articles: ``framecheck scan --add-waivers`` and the editor's quick fix.

A newsroom that turns the gate on for an archive needs today's findings accepted, one by one and
accountably, not hidden in a baseline nobody reads (ruff's ``--add-noqa`` does this for code).
``--add-waivers`` writes, above each paragraph with active findings, one waiver naming its rules
with a placeholder reason. A waiver whose reason is still the placeholder waives nothing (see
``framecheck.engine.suppressions``), so the gate keeps failing until an editor writes why each
finding stays: the edit is a to-do list, not an amnesty.

Only files are edited, never standard input or corpus records; a file that is not UTF-8 (or
UTF-8 with a byte-order mark) is kept byte for byte apart from the inserted lines, which use
the file's own line breaks and the paragraph's indentation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import FramecheckError
from ..core.model import Finding
from ..core.offsets import LINE_BREAK, line_break_in
from ..engine.suppressions import PLACEHOLDER_REASON
from ..outputs.atomic import atomic_binary_file

TEXT_SYNTAX, COMMENT_SYNTAX = "text", "comment"  # plain text, or Markdown and HTML
_BOM = b"\xef\xbb\xbf"
_DIRECTIVE_LINE = re.compile(r"^\s*(?:<!--\s*)?framecheck:\s*ignore", re.IGNORECASE)


def waiver_line(rule_ids: Sequence[str], syntax: str, reason: str = PLACEHOLDER_REASON) -> str:
    """A waiver of ``rule_ids`` for the next paragraph, as the document's format writes one."""
    quoted = f'reason="{reason}"'
    if syntax == TEXT_SYNTAX:
        return f"framecheck: ignore[{', '.join(rule_ids)}] {quoted}"
    return f"<!-- framecheck: ignore {', '.join(rule_ids)} {quoted} -->"


def paragraph_start(lines: Sequence[str], line: int) -> int:
    """The 0-based line where the paragraph holding 0-based ``line`` begins (after a blank line)."""
    index = min(line, len(lines) - 1)
    while index > 0 and lines[index - 1].strip():
        index -= 1
    return index


def _already_waived(lines: Sequence[str], start: int) -> set[str]:
    """Rules named by placeholder waivers written just above line ``start`` (a second run must
    not add the same to-do again)."""
    named: set[str] = set()
    index = start - 1
    while index >= 0 and _DIRECTIVE_LINE.search(lines[index]) and PLACEHOLDER_REASON in lines[index]:
        named.update(re.findall(r"[a-z0-9][a-z0-9-]*", lines[index].split("ignore", 1)[-1].split("reason=")[0]))
        index -= 1
    return named


@dataclass(frozen=True)
class WaiverPlan:
    """The waivers for one file: 0-based line -> the rules to waive above it."""

    above: dict[int, tuple[str, ...]]

    @property
    def count(self) -> int:
        return len(self.above)


def plan_waivers(text: str, findings: Sequence[Finding]) -> WaiverPlan:
    """One waiver above each paragraph that holds active findings (their source lines), naming
    its rules (absorbed ones too: the device stays one) once, except the rules a placeholder
    waiver there already names."""
    lines = LINE_BREAK.split(text)
    wanted: dict[int, list[str]] = {}
    for finding in findings:
        if not finding.active:
            continue
        start = paragraph_start(lines, finding.line - 1)
        while start < finding.line - 1 and _DIRECTIVE_LINE.search(lines[start]):
            start += 1  # waivers written above the paragraph earlier are not part of it
        rules = wanted.setdefault(start, [])
        rules += [rule for rule in finding.rule_ids if rule not in rules]  # with the rules it absorbed
    above = {}
    for start, rules in sorted(wanted.items()):
        waived = _already_waived(lines, start)
        missing = tuple(sorted(rule for rule in rules if rule not in waived))
        if missing:
            above[start] = missing
    return WaiverPlan(above)


def add_waivers(path: Path, findings: Sequence[Finding], syntax: str) -> int:
    """Write the waivers ``findings`` need into the file at ``path`` (atomically); how many."""
    data = path.read_bytes()
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise FramecheckError(f"{path}: not UTF-8; waivers were not added (they would change its encoding)") from None
    plan = plan_waivers(text, findings)
    if not plan.count:
        return 0
    lines = LINE_BREAK.split(text)
    breaks = LINE_BREAK.findall(text)
    line_break = line_break_in(text)
    for start, rules in sorted(plan.above.items(), reverse=True):
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        lines.insert(start, indent + waiver_line(rules, syntax))
        breaks.insert(start, line_break)
    joined = "".join(line + (breaks[index] if index < len(breaks) else "") for index, line in enumerate(lines))
    with atomic_binary_file(path, "article") as handle:
        handle.write(bom + joined.encode("utf-8"))
    return plan.count
