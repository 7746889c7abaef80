"""The HTML report: one self-contained file an editor opens in any browser, offline.

Each article is shown in full with every finding highlighted in its technique's colour; the
rule's message appears on hover and on keyboard focus. A legend, the score with its band and a
bar chart of techniques (inline SVG) sit above the text. With several articles the page opens
with a sortable index (article, headline, outlet, date, score, band, top techniques) and a
chart of how techniques are spread across the corpus. Nothing is loaded from the network, and
every piece of article text is escaped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

from .._version import __version__
from ..core.model import ArticleReport, Finding
from ..core.summary import RunSummary
from ..core.taxonomy import TECHNIQUES
from .base import Formatter, headline_of, merge_overlapping, plural, top_techniques

PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4",
    "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000", "#ffd8b1", "#000075",
    "#a9a9a9", "#ffe119", "#b8860b",
    "#5b7083",  # the last, slate, for the learned layer's spans: a model's guess, not a device
)
COLOURS = {technique: PALETTE[index % len(PALETTE)] for index, technique in enumerate(TECHNIQUES)}
BAND_COLOURS = {"low": "#2e7d32", "elevated": "#ef6c00", "high": "#c62828"}

STYLE = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:60rem;margin:auto;padding:1.5rem}
h1{font-size:1.5rem} h2{font-size:1.25rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}
.score{display:inline-block;padding:.2rem .6rem;border-radius:.4rem;color:#fff;font-weight:600}
.verdict{padding:.6rem .9rem;border-radius:.4rem;margin:1rem 0;font-weight:600}
.verdict.failed{background:#fdecea;border:1px solid #c62828;color:#8e1b1b} .verdict.passed{background:#e8f5e9;
  border:1px solid #2e7d32;color:#1b5e20} .verdict ul{margin:.3rem 0 0;font-weight:400}
.article-text{white-space:pre-line;background:#fff;border:1px solid #e0e0e0;border-radius:.4rem;padding:.6rem 1rem;
  font-family:Georgia,serif}
mark.fc{position:relative;border-radius:.2rem;padding:0 .1rem;outline-offset:2px;cursor:help;color:inherit}
mark.sev-error{font-weight:700;box-shadow:inset 0 -3px #b71c1c} mark.sev-warning{box-shadow:inset 0 -2px #5d4037}
mark.sev-info{background-image:none;box-shadow:inset 0 -1px #757575;border-bottom:1px dotted #757575}
mark.outside{outline:1px dashed #757575;opacity:.75}
span.sentence{border-bottom:2px dotted #5b7083;padding-bottom:1px}
span.chrome{color:#757575}
mark.fc:hover::after,mark.fc:focus::after{content:attr(data-message);position:absolute;left:0;top:1.6em;z-index:2;
  width:max-content;max-width:28rem;white-space:normal;background:#222;color:#fff;font:13px/1.4 system-ui,sans-serif;
  padding:.4rem .6rem;border-radius:.3rem}
.legend span{display:inline-block;margin:.15rem .6rem .15rem 0;font-size:.85rem} .legend mark{background:#e8e8e8}
.legend i{display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;vertical-align:-.1rem;margin-right:.3rem}
.badge{display:inline-block;font-size:.75rem;font-weight:700;padding:0 .35rem;border-radius:.25rem;color:#fff}
.badge.error{background:#b71c1c} .badge.warning{background:#e65100} .badge.info{background:#607d8b}
.badge.fails{background:#c62828} .badge.passes{background:#2e7d32}
table{border-collapse:collapse;width:100%;background:#fff} th,td{border-bottom:1px solid #e0e0e0;padding:.35rem .5rem;
  text-align:left;font-size:.9rem;vertical-align:top} th{background:#f0f0f0} table.sortable th{cursor:pointer;
  user-select:none} td.num{text-align:right}
table.findings{margin:.8rem 0} table.findings td:first-child{white-space:nowrap}
.notes{color:#555;font-size:.9rem}
"""

SORT_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, column) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.value || a.cells[column].textContent;
      var y = b.cells[column].dataset.value || b.cells[column].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    th.closest('tr').querySelectorAll('th').forEach(function (other) { other.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  });
});
document.body.dataset.ready = 'true';
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def bar_chart(values: list[tuple[str, float]], *, title: str, unit: str) -> str:
    """A horizontal bar chart as inline SVG, one bar per technique."""
    if not values:
        return ""
    largest = max(value for _, value in values) or 1.0
    row, label_width, bar_width = 22, 190, 300
    height = row * len(values) + 8
    parts = [f'<svg role="img" aria-label="{_e(title)}" width="{label_width + bar_width + 80}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="12">',
             f"<title>{_e(title)}</title>"]
    for index, (technique, value) in enumerate(values):
        y = 4 + index * row
        width = max(1.0, bar_width * value / largest)
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{_e(technique)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{width:.1f}" height="{row - 6}" '
                     f'fill="{COLOURS.get(technique, "#888")}"><title>{_e(technique)}: {value:g} {unit}</title></rect>')
        parts.append(f'<text x="{label_width + width + 6:.1f}" y="{y + 14}">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _message(group: list[Finding]) -> str:
    return " | ".join(f"{f.rule_id} ({f.technique}, {f.severity.label}): {f.message}{f.context_note}" for f in group)


def _encloses(outer: Finding, inner: Finding) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and inner.end - inner.start < outer.end - outer.start


def _layers(report: ArticleReport) -> list[list[tuple[int, int, str, str]]]:
    """What to draw over the text, outermost first, as (start, end, opening tag, closing tag):
    site chrome (greyed), findings that enclose other findings (a stacked sentence: a dotted
    line under it), then the devices themselves (a mark in the technique's colour, styled by
    severity, dashed when quoted from a named speaker or in chrome). Splitting them keeps a
    sentence-long finding from painting over the devices inside it."""
    active = report.active_findings
    enclosing = [f for f in active if any(_encloses(f, other) for other in active)]
    devices = [f for f in active if f not in enclosing]
    chrome = [(r.start, r.end, '<span class="chrome" title="site chrome: not scored">', "</span>")
              for r in report.document.regions_of("boilerplate")]
    sentences = [
        (start, end, f'<span class="sentence" title="{_e(_message(group))}">', "</span>")
        for start, end, group in merge_overlapping(enclosing)
    ]
    marks = []
    for start, end, group in merge_overlapping(devices):
        worst = max(f.severity for f in group)
        first = max(group, key=lambda f: (f.severity, -f.start))
        techniques = " ".join(dict.fromkeys(f"t-{f.technique}" for f in group))
        outside = "" if any(f.own_voice for f in group) else " outside"
        message = _message(group)
        marks.append((start, end, (
            f'<mark class="fc {techniques} sev-{worst.label}{outside}" tabindex="0" '
            f'style="background:{COLOURS.get(first.technique, "#ccc")}55" data-rule="{_e(first.rule_id)}" '
            f'data-technique="{_e(first.technique)}" data-severity="{worst.label}" data-message="{_e(message)}" '
            f'title="{_e(message)}">'
        ), "</mark>"))
    return [chrome, sentences, marks]


def highlighted_text(report: ArticleReport) -> str:
    """The article text, escaped, paragraph by paragraph, with the layers of :func:`_layers`
    nested properly: where an outer element ends inside an inner one, the inner one is closed
    and opened again (the second piece without a tab stop)."""
    text = report.document.text
    layers = _layers(report)
    cuts = sorted({0, len(text), *(p for layer in layers for s, e, _, _ in layer for p in (s, e))})
    pieces: list[str] = []
    stack: list[tuple[int, tuple[int, int, str, str]]] = []  # (layer, element) open now, outermost first
    opened: set[tuple[int, int, int]] = set()
    layers = [sorted(layer) for layer in layers]
    next_of = [0] * len(layers)  # per layer, the first element that does not end before the cut
    for left, right in zip(cuts, cuts[1:]):
        wanted = []
        for depth, layer in enumerate(layers):
            while next_of[depth] < len(layer) and layer[next_of[depth]][1] <= left:
                next_of[depth] += 1
            if next_of[depth] < len(layer) and layer[next_of[depth]][0] <= left:
                wanted.append((depth, layer[next_of[depth]]))
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] == wanted[keep]:
            keep += 1
        pieces.extend(element[3] for _, element in reversed(stack[keep:]))
        for depth, element in wanted[keep:]:
            key = (depth, element[0], element[1])
            tag = element[2] if key not in opened else element[2].replace(' tabindex="0"', "")
            opened.add(key)
            pieces.append(tag)
        stack = wanted
        pieces.append(_paragraphs(text[left:right]))
    pieces.extend(element[3] for _, element in reversed(stack))
    return "".join(pieces)


_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")


def _paragraphs(text: str) -> str:
    """Escaped text whose runs of blank lines become one paragraph gap: scraped articles
    often carry three or four blank lines between paragraphs."""
    return _BLANK_LINES.sub("\n\n", _e(text))


def findings_table(report: ArticleReport) -> str:
    """Every finding of the article in reading order: where, how severe, which rule, the words."""
    rows = []
    for finding in report.findings:
        status = "" if finding.active else (" (suppressed)" if finding.suppression is not None else " (in baseline)")
        rows.append(
            f'<tr><td>{finding.line}:{finding.column}</td><td><span class="badge {finding.severity.label}">'
            f"{finding.severity.label}</span></td><td><code>{_e(finding.rule_id)}</code></td>"
            f"<td>&ldquo;{_e(' '.join(finding.excerpt.split()))}&rdquo;</td>"
            f"<td>{_e(finding.message + finding.context_note + status)}</td></tr>"
        )
    if not rows:
        return ""
    return ('<table class="findings"><thead><tr><th>Line</th><th>Severity</th><th>Rule</th><th>Words</th>'
            f"<th>Message</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def legend(techniques: list[str]) -> str:
    items = "".join(
        f'<span><i style="background:{COLOURS.get(t, "#888")}"></i>{_e(TECHNIQUES[t].name if t in TECHNIQUES else t)}</span>'
        for t in techniques
    )
    return f'<div class="legend" aria-label="legend">{items}</div>'


SEVERITY_LEGEND = (
    '<div class="legend" aria-label="severities">Marks: <span><mark class="sample sev-error">error</mark></span>'
    '<span><mark class="sample sev-warning">warning</mark></span><span><mark class="sample sev-info">info</mark></span>'
    '<span><mark class="sample sev-warning outside">spoken by someone else, or site chrome: '
    'not counted by the check</mark></span>'
    '<span><span class="sentence">a sentence that stacks devices</span></span></div>'
)


def _severity_counts(report: ArticleReport) -> str:
    counts = Counter(f.severity.label for f in report.active_findings)
    badges = []
    for label in ("error", "warning", "info"):
        if counts[label]:
            noun = label + ("s" if counts[label] > 1 and label != "info" else "")  # "2 info", not "2 infos"
            badges.append(f'<span class="badge {label}">{counts[label]} {noun}</span>')
    return " ".join(badges)


def _failure_line(source: str, summary: RunSummary) -> str:
    reasons = [failure.reason for failure in summary.failures if failure.source == source]
    if not reasons:
        return ""
    return f'<p class="failure"><span class="badge fails">fails the check</span> {_e("; ".join(reasons))}</p>'


class HtmlFormatter(Formatter):
    """One self-contained HTML page; with several articles, an index and a corpus chart first."""

    name = "html"
    description = "a self-contained HTML page: highlighted articles, legend, scores and charts"

    def start(self) -> None:
        self.sections: list[tuple[str, str, str]] = []  # (source, head, rest) of each article's section
        self.rows: list[dict[str, Any]] = []
        self.corpus: Counter[str] = Counter()

    def article(self, report: ArticleReport) -> None:
        index = len(self.sections)
        score = report.score
        active = report.active_findings
        techniques = [t.technique for t in score.by_technique] or sorted({f.technique for f in active})
        self.corpus.update(f.technique for f in active)
        chart = bar_chart([(t.technique, t.weight) for t in score.by_technique], title="points by technique", unit="points")
        notes = "".join(f"<li>{_e(note)}</li>" for note in report.warnings)
        headline = headline_of(report)
        # The reasons an article fails the check are known at the end of the run: they go
        # between the head and the rest of its section then.
        head = (
            f'<section class="article" id="article-{index}" data-findings="{len(active)}">'
            f"<h2>{_e(report.source)}</h2>"
            + (f"<p><strong>{_e(headline)}</strong></p>" if headline else "")
            + f'<p><span class="score" style="background:{BAND_COLOURS[score.band]}">score {score.value:.0f}/100 · '
            f"{_e(score.band)}</span> {plural(len(active), 'finding')} {_severity_counts(report)} · "
            f"{score.density:.1f} points per 1,000 words · {plural(score.words, 'word')}</p>"
        )
        self.sections.append((report.source, head, (
            legend(techniques)
            + chart
            + (f'<ul class="notes">{notes}</ul>' if notes else "")
            + findings_table(report)
            + f'<div class="article-text">{highlighted_text(report)}</div></section>'
        )))
        metadata = report.document.metadata
        self.rows.append({
            "index": index, "source": report.source, "headline": headline, "outlet": metadata.get("outlet", ""),
            "date": metadata.get("date", ""), "score": score.value, "band": score.band, "findings": len(active),
            "top": top_techniques(score),
        })

    def _index(self, failing: set[str]) -> str:
        """The sortable table of articles; outlet and date columns only when some article has one."""
        optional = [key for key in ("outlet", "date") if any(row[key] for row in self.rows)]
        head = ["Article", "Headline", *(key.capitalize() for key in optional), "Score", "Band", "Findings",
                "Top techniques", "Check"]
        body = []
        for row in self.rows:
            check = "fails" if row["source"] in failing else "passes"
            cells = [f'<td><a href="#article-{row["index"]}">{_e(row["source"])}</a></td>',
                     f"<td>{_e(row['headline'])}</td>"]
            cells += [f"<td>{_e(row[key])}</td>" for key in optional]
            cells += [f'<td class="num" data-value="{row["score"]}">{row["score"]:.0f}</td>',
                      f"<td>{_e(row['band'])}</td>",
                      f'<td class="num">{row["findings"]}</td>', f"<td>{_e(row['top'])}</td>",
                      f'<td><span class="badge {check}">{check}</span></td>']
            body.append(f"<tr>{''.join(cells)}</tr>")
        header = "".join(f"<th>{name}</th>" for name in head)
        table = f'<table class="sortable"><thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        return f"<h2>Articles</h2>{table}"

    def finish(self, summary: RunSummary) -> None:
        title = "framecheck report"
        failing = {failure.source for failure in summary.failures}
        index = ""
        if len(self.sections) > 1:
            corpus_chart = bar_chart(sorted(self.corpus.items(), key=lambda kv: (-kv[1], kv[0])),
                                     title="findings by technique across the corpus", unit="findings")
            index = self._index(failing) + f"<h2>Techniques across the corpus</h2>{corpus_chart}"
        if summary.failures:
            reasons = "".join(f'<li><a href="#article-{self._anchor(f.source)}">{_e(f.source)}</a>: {_e(f.reason)}</li>'
                              for f in summary.failures)
            verdict = f'<div class="verdict failed" role="alert">Check failed<ul>{reasons}</ul></div>'
        else:
            verdict = '<div class="verdict passed">Check passed</div>' if summary.articles else ""
        sections = [head + _failure_line(source, summary) + rest for source, head, rest in self.sections]
        errors = "".join(f"<li>{_e(e)}</li>" for e in summary.errors + summary.skipped)
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="framecheck {__version__}"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><main>"
            f"<h1>{title}</h1><p>{plural(summary.articles, 'article')} · {plural(summary.findings, 'finding')}"
            + (f" · {summary.suppressed} suppressed" if summary.suppressed else "")
            + (f" · {summary.baselined} in baseline" if summary.baselined else "")
            + "</p>"
            + verdict
            + (f'<ul class="notes">{errors}</ul>' if errors else "")
            + SEVERITY_LEGEND
            + index
            + "".join(sections)
            + f"</main><script>{SORT_SCRIPT}</script></body></html>\n"
        )
        self.stream.write(page)

    def _anchor(self, source: str) -> int:
        return next((row["index"] for row in self.rows if row["source"] == source), 0)
