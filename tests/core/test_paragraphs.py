"""Paragraphs are found from the text alone, below every reader."""

from __future__ import annotations

from framecheck.core.model import Document
from framecheck.core.paragraphs import paragraphs, trimmed_end


def spans(text: str) -> list[str]:
    return [text[start:end] for start, end in paragraphs(text)]


def test_blank_lines_separate_paragraphs_and_the_text_s_trailing_space_is_left_out() -> None:
    # A blank line (spaces allowed on it) ends a paragraph; a line break alone does not.
    assert spans("Title\n\nFirst para\ncontinues.  \n \n\nSecond.  \n") == [
        "Title", "First para\ncontinues.  ", "Second."]


def test_one_sentence_a_line_articles_get_a_paragraph_per_line() -> None:
    text = "Headline\n\nOne.\nTwo.\nThree.\n"
    assert spans(text) == ["Headline", "One.", "Two.", "Three."]


def test_empty_and_blank_texts_have_none() -> None:
    assert paragraphs("") == [] and paragraphs(" \n\n \t") == []


def test_trimmed_end_moves_back_over_white_space_only() -> None:
    assert trimmed_end("ab  \n", 0, 5) == 2 and trimmed_end("   ", 1, 3) == 1


def test_a_document_finds_its_paragraphs_once() -> None:
    document = Document("a.txt", "One\n\nTwo")
    assert document.paragraphs == [(0, 3), (5, 8)] and document.paragraphs is document.paragraphs
