"""Where a finding sits: its line and column in the source, the part of the article (headline,
lede, body, site chrome) and the quotation it is in, if any. The score and the gate read both."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.model import Document, Finding, Region
from ..inputs.structure import QuoteIndex

PART_PRIORITY = {"body": 0, "lede": 1, "headline": 2, "boilerplate": 3}


def place(finding: Finding, document: Document, regions: RegionIndex) -> Finding:
    """The finding with its source position and where it sits: part of the article, quote."""
    where = document.position(finding.start)
    last = document.position(finding.end - 1)  # the span's last character, then one column on
    part, quote = regions.place(finding.start, finding.end)
    return finding.evolve(
        line=where.line, column=where.column, end_line=last.line, end_column=last.column + 1,
        part=part, quote=quote,
    )


class RegionIndex:
    """A document's regions arranged for placing many findings: the few part regions
    (headline, lede, boilerplate, ...) in a list, quotations in a :class:`QuoteIndex`, so
    placing costs O(log quotes) instead of a pass over every region."""

    def __init__(self, regions: Sequence[Region]):
        self.parts = [r for r in regions if r.kind != "quote" and PART_PRIORITY.get(r.kind, 0) > 0]
        self.quotes = QuoteIndex(regions)

    def place(self, start: int, end: int) -> tuple[str, str | None]:
        """(part, quote label or None) of the span: the highest-priority part holding it, and the
        shortest quotation holding it (of equally short ones, the first)."""
        part = "body"
        for region in self.parts:
            if region.contains(start, end) and PART_PRIORITY[region.kind] > PART_PRIORITY[part]:
                part = region.kind
        quote = self.quotes.holding(start, end)
        return part, None if quote is None else quote.label
