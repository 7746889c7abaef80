"""Readers for articles in markup: Markdown (CommonMark, with YAML front matter) and HTML.

Both extract the prose an editor would read, block by block, into a :class:`TextBuilder`
so every character of the scanned text maps back to its place in the file. What is not
prose is left out: code, link targets and images in Markdown; scripts, styles, navigation,
asides and site header/footer chrome in HTML.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser

from ..core.model import Document, Region
from ..core.offsets import TextBuilder, line_number
from ..languages.profiles import Languages
from .readers import Input, ReadOptions, TextReader, read_text, text_document
from .structure import quotations

LEDE_MIN_WORDS = 12


_LINE_BREAK = re.compile(r"\r\n?|\n")


def _line_starts(text: str) -> list[int]:
    """Where each line begins, counting line breaks as the Markdown parser does: CRLF, CR or LF
    (its token line numbers index this list)."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


class _Assembly:
    """Blocks of extracted text with their kinds, turned into a document at the end."""

    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.blocks: list[tuple[str, int, int]] = []  # (kind, start, end) in the built text
        self.quotes: list[tuple[int, int]] = []
        self.headline: tuple[int, int] | None = None

    def open_block(self, source_offset: int) -> int:
        self.builder.separate(source_offset)
        return len(self.builder)

    def close_block(self, kind: str, start: int) -> None:
        if len(self.builder) > start:
            self.blocks.append((kind, start, len(self.builder)))
            if kind == "headline" and self.headline is None:
                self.headline = (start, len(self.builder))

    def document(self, item: Input, source: str, metadata: dict, notes: tuple[str, ...],
                 languages: Languages | None = None) -> Document:
        text, offsets = self.builder.build()
        regions: list[Region] = []
        body_blocks = [(s, e) for kind, s, e in self.blocks if (s, e) != self.headline]
        if self.headline:
            regions.append(Region("headline", *self.headline))
            metadata.setdefault("title", text[slice(*self.headline)].strip())
        if body_blocks:
            regions.append(Region("body", body_blocks[0][0], body_blocks[-1][1]))
            lede = next(
                ((s, e) for kind, s, e in self.blocks if kind == "paragraph" and len(text[s:e].split()) >= LEDE_MIN_WORDS),
                None,
            )
            if lede:
                regions.append(Region("lede", *lede))
        regions.extend(Region("quote", start, end) for start, end in self.quotes)
        regions.extend(quotations(text, [(s, e) for _, s, e in self.blocks], languages))
        return Document(item.name, text, metadata=metadata, source_text=source, offsets=offsets,
                        regions=tuple(regions), notes=notes)


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------


# Quotes and lists nested deeper than this are not parsed (the parser's guard against runaway
# recursion); the reader says so in a note. Real articles nest a few levels.
MAX_MARKDOWN_NESTING = 100


def _repeats_title(tokens: list, title: str) -> bool:
    """Whether the body's first heading is an ``# H1`` saying the front matter's title again:
    then the H1 is the headline, and the title is not scanned (or counted) a second time."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1] if index + 1 < len(tokens) else None
            if token.tag != "h1" or inline is None or inline.type != "inline":
                return False
            return " ".join(inline.content.split()).casefold() == " ".join(title.split()).casefold()
    return False


def split_front_matter(source: str) -> tuple[dict, int, str | None]:
    """(metadata, offset where the Markdown body starts, problem) for ``---`` front matter."""
    if not source.startswith("---"):
        return {}, 0, None
    first_break = source.find("\n")
    if first_break == -1 or source[:first_break].strip() != "---":
        return {}, 0, None
    end = source.find("\n---", first_break)
    while end != -1 and source[end + 4 : end + 5] not in ("", "\n", "\r"):
        end = source.find("\n---", end + 4)
    if end == -1:
        return {}, 0, None
    body_start = source.find("\n", end + 4)
    body_start = len(source) if body_start == -1 else body_start + 1
    try:
        import yaml  # front matter is rare: only documents with it pay for PyYAML

        data = yaml.safe_load(source[first_break + 1 : end + 1])
    except yaml.YAMLError as exc:
        return {}, body_start, f"front matter is not valid YAML ({getattr(exc, 'problem', exc)}); ignored"
    except RecursionError:
        return {}, body_start, "front matter is nested too deeply; ignored"
    if not isinstance(data, dict):
        return {}, body_start, "front matter is not a mapping; ignored"
    metadata = {
        str(key): value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in data.items()
        if isinstance(value, (str, int, float)) or hasattr(value, "isoformat")
    }
    return metadata, body_start, None


class _InlineMapper:
    """Maps positions in an inline token's raw content to offsets in the source file."""

    def __init__(self, raw: str, first_line: int, source: str, line_starts: list[int]):
        self.raw = raw
        self.raw_line_starts: list[int] = []
        self.source_line_starts: list[int] = []
        position = 0
        for index, line in enumerate(raw.split("\n")):
            line_number = min(first_line + index, len(line_starts) - 1)
            source_line_start = line_starts[line_number]
            source_line_end = line_starts[line_number + 1] if line_number + 1 < len(line_starts) else len(source)
            column = source.find(line, source_line_start, source_line_end) if line else -1
            self.raw_line_starts.append(position)
            self.source_line_starts.append(column if column != -1 else source_line_start)
            position += len(line) + 1

    def to_source(self, raw_offset: int) -> int:
        index = bisect.bisect_right(self.raw_line_starts, raw_offset) - 1
        return self.source_line_starts[index] + raw_offset - self.raw_line_starts[index]


def _emit_inline(assembly: _Assembly, token, mapper: _InlineMapper) -> None:
    raw, builder = mapper.raw, assembly.builder
    cursor = 0
    for child in token.children or ():
        kind = child.type
        if kind == "text" and child.content:
            content = child.content
            found = raw.find(content, cursor, cursor + len(content) + 64)
            if found != -1:
                builder.copy(content, mapper.to_source(found))
                cursor = found + len(content)
                continue
            for char in content:  # escapes or entities changed the text: align it char by char
                found = raw.find(char, cursor, cursor + 12)
                if found != -1:
                    builder.copy(char, mapper.to_source(found))
                    cursor = found + 1
                else:
                    builder.insert(char, mapper.to_source(min(cursor, len(raw))))
        elif kind in ("softbreak", "hardbreak"):
            newline = raw.find("\n", cursor)
            at = newline if newline != -1 else cursor
            builder.copy(" ", mapper.to_source(at))
            cursor = at + 1
        elif kind == "code_inline":
            found = raw.find(child.content, cursor)
            builder.insert(" ", mapper.to_source(cursor))
            if found != -1:
                cursor = found + len(child.content) + len(child.markup)
        elif kind in ("link_close", "image"):
            if kind == "image":
                start = raw.find("![", cursor)
                cursor = start + 2 if start != -1 else cursor
            target = raw.find("](", cursor)
            if target != -1 and (close := raw.find(")", target)) != -1:
                cursor = close + 1
        elif kind == "html_inline":
            found = raw.find(child.content, cursor)
            if found != -1:
                cursor = found + len(child.content)


class MarkdownReader:
    name = "markdown"
    description = "CommonMark with YAML front matter (title, author, date, url); code and link targets skipped"
    extensions = (".md", ".markdown", ".mdown", ".mkd")

    def sniff(self, head: str) -> bool:
        stripped = head.lstrip("\ufeff")
        return stripped.startswith("---\n") or stripped.startswith("---\r\n") or stripped.startswith("# ")

    def read(self, item: Input, options: ReadOptions) -> Iterator[Document]:
        from markdown_it import MarkdownIt  # imported here: only Markdown inputs pay for it

        source, notes = read_text(item, options)
        metadata, body_start, problem = split_front_matter(source)
        if problem:
            notes += (problem,)
        line_starts = _line_starts(source)
        first_body_line = bisect.bisect_right(line_starts, body_start) - 1
        assembly = _Assembly()
        tokens = MarkdownIt("commonmark", {"maxNesting": MAX_MARKDOWN_NESTING}).parse(source[body_start:])
        deepest = max(tokens, key=lambda token: token.level, default=None)
        if deepest is not None and deepest.level >= MAX_MARKDOWN_NESTING - 1:
            # The parser stops at the limit and drops everything after it: read the whole file
            # as plain text instead, so nothing hides behind a hundred nested list items.
            line = first_body_line + (deepest.map[0] if deepest.map else 0) + 1
            notes += (f"Markdown nested more than {MAX_MARKDOWN_NESTING} levels deep (line {line}): "
                      "the file was read as plain text",)
            yield text_document(item.name, source, notes, options.languages)
            return
        title = metadata.get("title") or metadata.get("headline")
        if isinstance(title, str) and title.strip() and not _repeats_title(tokens, title):
            at = source.find(title.strip(), 0, body_start)
            start = assembly.open_block(max(at, 0))
            (assembly.builder.copy if at != -1 else assembly.builder.insert)(title.strip(), max(at, 0))
            assembly.close_block("headline", start)
        quote_starts: list[int] = []
        block_kind = "paragraph"
        for token in tokens:
            if token.type == "heading_open":
                block_kind = "headline" if token.tag == "h1" and assembly.headline is None else "heading"
            elif token.type == "paragraph_open":
                block_kind = "paragraph"
            elif token.type == "blockquote_open":
                quote_starts.append(assembly.open_block(line_starts[first_body_line + token.map[0]]))
            elif token.type == "blockquote_close" and quote_starts:
                start = quote_starts.pop()
                if len(assembly.builder) > start:
                    assembly.quotes.append((start, len(assembly.builder)))
            elif token.type == "inline" and token.map is not None:
                first_line = first_body_line + token.map[0]
                mapper = _InlineMapper(token.content, first_line, source, line_starts)
                start = assembly.open_block(line_starts[min(first_line, len(line_starts) - 1)])
                _emit_inline(assembly, token, mapper)
                assembly.close_block(block_kind, start)
        yield assembly.document(item, source, metadata, notes, options.languages)


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

SKIPPED_TAGS = frozenset({"script", "style", "nav", "aside", "noscript", "template", "svg", "form", "button",
                          "iframe", "select", "textarea", "head", "figure"})
CHROME_TAGS = frozenset({"header", "footer"})  # site chrome unless inside the article itself
ARTICLE_TAGS = frozenset({"article", "main"})
BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "blockquote", "article", "section", "main", "table", "tr",
                        "td", "th", "br", "hr", "dd", "dt", "pre", "address", "h1", "h2", "h3", "h4", "h5", "h6",
                        "title", "body", "caption", "details", "summary"})
VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col",
                       "embed", "param", "track"})
META_NAMES = {"author": "author", "article:author": "author", "og:title": "title", "date": "date",
              "article:published_time": "date", "og:url": "url", "og:site_name": "outlet", "og:locale": "language"}
_H1 = re.compile(r"<h1[\s>/]", re.IGNORECASE)
_WHITESPACE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\f": " "})


class _ArticleParser(HTMLParser):
    """Extracts the article's prose block by block; ``<title>`` is the headline when there is no ``<h1>``."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.title_is_headline = _H1.search(source) is None
        self.in_title = False
        self.line_starts = _line_starts(source)
        self.assembly = _Assembly()
        self.stack: list[str] = []
        self.open_counts: Counter[str] = Counter()  # tags on the stack: O(1) questions about it
        self.skip_depth = 0
        self.block_start = 0
        self.block_kind = "paragraph"
        self.quote_starts: list[int] = []
        self.metadata: dict[str, str] = {}

    def source_offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _skipping(self, tag: str) -> bool:
        if tag in SKIPPED_TAGS:
            return True
        return tag in CHROME_TAGS and not any(self.open_counts[article] for article in ARTICLE_TAGS)

    def finish(self) -> _Assembly:
        self.close()
        self._end_block()
        return self.assembly

    def _end_block(self) -> None:
        self.assembly.close_block(self.block_kind, self.block_start)
        self.block_start = self.assembly.open_block(self.source_offset())
        self.block_kind = "paragraph"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" or tag == "link":
            self._metadata(tag, dict(attrs))
        elif tag == "html":  # <html lang="uk">: the language packs are chosen by
            language = dict(attrs).get("lang")
            if language:
                self.metadata.setdefault("language", language.strip())
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS and not self.skip_depth:
                self._end_block()
            return
        self.stack.append(tag)
        self.open_counts[tag] += 1
        if tag == "title" and self.title_is_headline and self.assembly.headline is None:
            self.in_title = True
            self.block_start = self.assembly.open_block(self.source_offset())
            self.block_kind = "headline"
        if self.skip_depth or self._skipping(tag):
            self.skip_depth += 1
            return
        if tag in BLOCK_TAGS:
            self._end_block()
            if tag == "h1" and self.assembly.headline is None:
                self.block_kind = "headline"
            elif tag in {"h2", "h3", "h4", "h5", "h6"}:
                self.block_kind = "heading"
        if tag in ("blockquote", "q"):
            self.quote_starts.append(len(self.assembly.builder))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_counts[tag]:
            return  # a stray end tag: ignore it, as browsers do
        while self.stack:
            open_tag = self.stack.pop()
            self.open_counts[open_tag] -= 1
            if open_tag == "title" and self.in_title:
                self.in_title = False
                self._end_block()
            if self.skip_depth:
                self.skip_depth -= 1
            elif open_tag in ("blockquote", "q") and self.quote_starts:
                start = self.quote_starts.pop()
                if len(self.assembly.builder) > start:
                    self.assembly.quotes.append((start, len(self.assembly.builder)))
            elif open_tag in BLOCK_TAGS:
                self._end_block()
            if open_tag == tag:
                break

    def _reading(self) -> bool:
        return not self.skip_depth or self.in_title

    def handle_data(self, data: str) -> None:
        if self._reading() and data:
            self.assembly.builder.copy(data.translate(_WHITESPACE), self.source_offset())

    def _reference(self, text: str) -> None:
        if self._reading():
            self.assembly.builder.insert(html.unescape(text).translate(_WHITESPACE), self.source_offset())

    def handle_entityref(self, name: str) -> None:
        self._reference(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._reference(f"&#{name};")

    def _metadata(self, tag: str, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        if tag == "link" and (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
            self.metadata.setdefault("url", attrs["href"] or "")
        elif key in META_NAMES and attrs.get("content"):
            self.metadata.setdefault(META_NAMES[key], attrs["content"] or "")


# A decimal character reference longer than any code point (&#99999999...) names no character;
# Python refuses to convert a number of more than 4,300 digits. Written as a hexadecimal
# reference of the same length it is converted at once, to U+FFFD as HTML says, and every
# offset after it stays where it was.
_LONG_DECIMAL_REFERENCE = re.compile(r"&#(\d{8,})")


_OPENS_MARKUP = re.compile(r"<[A-Za-z!/?]")


def _parsable_end(source: str) -> int:
    """Where the HTML that can be parsed ends: at a comment, tag or declaration that never
    closes. A browser drops such a construct, with everything after it; Python's parser looks
    for its end again from every later "<", which is quadratic (a page of "<!--" takes minutes).
    A construct is unclosed when it opens after the last character that could close it."""
    end = len(source)
    last_comment_end = source.rfind("-->")
    opener = source.find("<!--", last_comment_end + 1 if last_comment_end >= 0 else 0)
    if opener != -1:
        end = opener
    last_section_end = source.rfind("]>", 0, end)  # a marked section (<![CDATA[...]]>) ends in "]>"
    opener = source.find("<![", last_section_end + 1 if last_section_end >= 0 else 0, end)
    if opener != -1:
        end = opener
    last_tag_end = source.rfind(">", 0, end)
    unclosed = _OPENS_MARKUP.search(source, last_tag_end + 1, end)
    return unclosed.start() if unclosed else end


def _as_hex_reference(match: re.Match) -> str:
    return "&#x" + "f" * (len(match.group(1)) - 1)


class HtmlReader:
    name = "html"
    description = "HTML; scripts, styles, nav, asides and site header/footer skipped; <h1> or <title> is the headline"
    extensions = (".html", ".htm", ".xhtml")

    def sniff(self, head: str) -> bool:
        start = head.lstrip("\ufeff \t\r\n").lower()
        return start.startswith(("<!doctype html", "<html", "<article", "<body", "<head"))

    def read(self, item: Input, options: ReadOptions) -> Iterator[Document]:
        source, notes = read_text(item, options)
        parser = _ArticleParser(source)
        end = _parsable_end(source)
        if end < len(source):
            line = line_number(source, end)
            notes += (f"the HTML ends inside a comment or tag that never closes (line {line}); "
                      "the rest is not text a browser shows, and was not scanned",)
        parser.feed(_LONG_DECIMAL_REFERENCE.sub(_as_hex_reference, source[:end]))
        assembly = parser.finish()
        yield assembly.document(item, source, dict(parser.metadata), notes, options.languages)


# The extensions of the article formats framecheck reads itself: what a folder walk scans (with
# any plugin reader's), what a pack's test articles may be, and what the pre-commit hook's
# ``files`` pattern names (a test keeps .pre-commit-hooks.yaml equal to hook_files_pattern()).
ARTICLE_EXTENSIONS = tuple(sorted({*TextReader.extensions, *MarkdownReader.extensions, *HtmlReader.extensions}))


def hook_files_pattern(extensions: tuple[str, ...] = ARTICLE_EXTENSIONS) -> str:
    """A regular expression for file names with one of ``extensions``, in any case."""
    return r"(?i)\.(" + "|".join(sorted(extension.lstrip(".") for extension in extensions)) + r")$"
