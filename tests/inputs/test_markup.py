"""Markdown and HTML: the scanned text is extracted, and every offset leads back to the source."""

from __future__ import annotations

from pathlib import Path

from framecheck.inputs.markup import HtmlReader, MarkdownReader
from framecheck.inputs.readers import Input, ReadOptions


def read(reader, tmp_path: Path, name: str, source: str):
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    (document,) = reader.read(Input(name, path), ReadOptions())
    return document


def test_markdown_front_matter_code_and_links_are_not_prose(tmp_path: Path) -> None:
    source = ("---\ntitle: Town news\nauthor: J. Doe\n---\n\nThey **terrorised** the [town](https://x.org/terror).\n\n"
              "```\nterror in code\n```\n\n> \"We will win,\" the mayor said.\n")
    document = read(MarkdownReader(), tmp_path, "a.md", source)
    assert "terror in code" not in document.text and "x.org" not in document.text
    assert document.metadata["title"] == "Town news" and document.metadata["author"] == "J. Doe"
    start = document.text.index("terrorised")
    assert source[document.source_offset(start):].startswith("terrorised")
    assert [r.kind for r in document.regions if r.kind == "quote"]


def test_html_skips_chrome_and_maps_entities_back(tmp_path: Path) -> None:
    source = ("<html><head><title>T</title><script>terror()</script></head><body><nav>Menu terror</nav>"
              "<article><h1>Town &amp; gown</h1><p>They terrorised the town.</p></article></body></html>")
    document = read(HtmlReader(), tmp_path, "a.html", source)
    assert "terror()" not in document.text and "Menu" not in document.text
    assert document.text.startswith("Town & gown")
    start = document.text.index("terrorised")
    assert source[document.source_offset(start):].startswith("terrorised")
    assert source[document.source_offset(document.text.index("&")):].startswith("&amp;")
    assert [r.kind for r in document.regions if r.kind == "headline"] == ["headline"]


def test_sniffing_tells_markup_by_its_first_bytes() -> None:
    assert MarkdownReader().sniff("---\ntitle: x\n") and MarkdownReader().sniff("# Heading")
    assert HtmlReader().sniff("\ufeff  <!DOCTYPE html><html>") and not HtmlReader().sniff("Plain text <b>")
