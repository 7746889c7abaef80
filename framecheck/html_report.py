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
from collections import Counter
from typing import Any

from . import __version__
from .formatters import Formatter, headline_of, merge_overlapping, top_techniques
from .model import ArticleReport, RunSummary
from .taxonomy import TECHNIQUES

PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4",
    "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000", "#ffd8b1", "#000075",
    "#a9a9a9", "#ffe119", "#5b7083",  # the last, slate, for the learned layer's spans: a model's guess, not a device
)
COLOURS = {technique: PALETTE[index % len(PALETTE)] for index, technique in enumerate(TECHNIQUES)}
BAND_COLOURS = {"low": "#2e7d32", "elevated": "#ef6c00", "high": "#c62828"}

STYLE = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:60rem;margin:auto;padding:1.5rem}
h1{font-size:1.5rem} h2{font-size:1.25rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}
.score{display:inline-block;padding:.2rem .6rem;border-radius:.4rem;color:#fff;font-weight:600}
.article-text{white-space:pre-wrap;background:#fff;border:1px solid #e0e0e0;border-radius:.4rem;padding:1rem;
  font-family:Georgia,serif}
mark.fc{position:relative;border-radius:.2rem;padding:0 .1rem;outline-offset:2px;cursor:help}
mark.fc:hover::after,mark.fc:focus::after{content:attr(data-message);position:absolute;left:0;top:1.6em;z-index:2;
  width:max-content;max-width:28rem;white-space:normal;background:#222;color:#fff;font:13px/1.4 system-ui,sans-serif;
  padding:.4rem .6rem;border-radius:.3rem}
.legend span{display:inline-block;margin:.15rem .6rem .15rem 0;font-size:.85rem}
.legend i{display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;vertical-align:-.1rem;margin-right:.3rem}
table{border-collapse:collapse;width:100%;background:#fff} th,td{border-bottom:1px solid #e0e0e0;padding:.35rem .5rem;
  text-align:left;font-size:.9rem} th{cursor:pointer;user-select:none;background:#f0f0f0} td.num{text-align:right}
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


def highlighted_text(report: ArticleReport) -> str:
    """The article text, escaped, with each (merged) finding span wrapped in a <mark>."""
    text = report.document.text
    pieces, cursor = [], 0
    for start, end, group in merge_overlapping(report.active_findings):
        first = group[0]
        message = " | ".join(f"{f.rule_id} ({f.technique}, {f.severity.label}): {f.message}{f.context_note}" for f in group)
        techniques = " ".join(dict.fromkeys(f"t-{f.technique}" for f in group))
        pieces.append(_e(text[cursor:start]))
        pieces.append(
            f'<mark class="fc {techniques}" tabindex="0" style="background:{COLOURS.get(first.technique, "#ccc")}66;'
            f'box-shadow:inset 0 -2px {COLOURS.get(first.technique, "#888")}" data-rule="{_e(first.rule_id)}" '
            f'data-technique="{_e(first.technique)}" data-message="{_e(message)}" title="{_e(message)}">'
            f"{_e(text[start:end])}</mark>"
        )
        cursor = end
    pieces.append(_e(text[cursor:]))
    return "".join(pieces)


def legend(techniques: list[str]) -> str:
    items = "".join(
        f'<span><i style="background:{COLOURS.get(t, "#888")}"></i>{_e(TECHNIQUES[t].name if t in TECHNIQUES else t)}</span>'
        for t in techniques
    )
    return f'<div class="legend" aria-label="legend">{items}</div>'


class HtmlFormatter(Formatter):
    """One self-contained HTML page; with several articles, an index and a corpus chart first."""

    name = "html"
    description = "a self-contained HTML page: highlighted articles, legend, scores and charts"

    def start(self) -> None:
        self.sections: list[str] = []
        self.rows: list[str] = []
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
        self.sections.append(
            f'<section class="article" id="article-{index}" data-findings="{len(active)}">'
            f"<h2>{_e(report.source)}</h2>"
            + (f"<p><strong>{_e(headline)}</strong></p>" if headline else "")
            + f'<p><span class="score" style="background:{BAND_COLOURS[score.band]}">score {score.value:.0f}/100 · '
            f"{_e(score.band)}</span> {len(active)} findings · {score.density:.1f} points per 1,000 words · "
            f"{score.words} words</p>"
            + legend(techniques)
            + chart
            + (f'<ul class="notes">{notes}</ul>' if notes else "")
            + f'<div class="article-text">{highlighted_text(report)}</div></section>'
        )
        metadata = report.document.metadata
        top = top_techniques(score)
        self.rows.append(
            f'<tr><td><a href="#article-{index}">{_e(report.source)}</a></td><td>{_e(headline)}</td>'
            f"<td>{_e(metadata.get('outlet', ''))}</td><td>{_e(metadata.get('date', ''))}</td>"
            f'<td class="num" data-value="{score.value}">{score.value:.0f}</td><td>{_e(score.band)}</td>'
            f'<td class="num">{len(active)}</td><td>{_e(top)}</td></tr>'
        )

    def finish(self, summary: RunSummary) -> None:
        title = "framecheck report"
        index = ""
        if len(self.sections) > 1:
            corpus_chart = bar_chart(sorted(self.corpus.items(), key=lambda kv: (-kv[1], kv[0])),
                                     title="findings by technique across the corpus", unit="findings")
            index = (
                "<h2>Articles</h2>"
                '<table class="sortable"><thead><tr><th>Article</th><th>Headline</th><th>Outlet</th><th>Date</th>'
                "<th>Score</th><th>Band</th><th>Findings</th><th>Top techniques</th></tr></thead>"
                f"<tbody>{''.join(self.rows)}</tbody></table>"
                f"<h2>Techniques across the corpus</h2>{corpus_chart}"
            )
        errors = "".join(f"<li>{_e(e)}</li>" for e in summary.errors + summary.skipped)
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="framecheck {__version__}"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><main>"
            f"<h1>{title}</h1><p>{summary.articles} articles · {summary.findings} findings"
            + (f" · {summary.suppressed} suppressed" if summary.suppressed else "")
            + "</p>"
            + (f'<ul class="notes">{errors}</ul>' if errors else "")
            + index
            + "".join(self.sections)
            + f"</main><script>{SORT_SCRIPT}</script></body></html>\n"
        )
        self.stream.write(page)
