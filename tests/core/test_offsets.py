"""Offsets into extracted text map back to the file a reader opened."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framecheck.core.offsets import OffsetMap, TextBuilder


def test_copied_pieces_map_one_to_one_and_inserted_ones_to_their_source_offset() -> None:
    source = "<p>Hello &amp; bye</p>"
    builder = TextBuilder()
    builder.copy("Hello ", 3)
    builder.insert("&", 9)  # the entity stands for five source characters
    builder.copy(" bye", 14)
    text, offsets = builder.build()
    assert text == "Hello & bye"
    assert [offsets.to_source(i) for i in range(len(text))] == [3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17]
    assert source[offsets.to_source(text.index("bye")):].startswith("bye")


def test_adjacent_copies_merge_into_one_piece() -> None:
    builder = TextBuilder()
    builder.copy("ab", 10)
    builder.copy("cd", 12)  # continues the previous piece in the source
    builder.copy("ef", 20)  # does not
    _, offsets = builder.build()
    assert offsets.text_starts == (0, 4) and offsets.source_starts == (10, 20)


def test_separate_adds_one_blank_line_between_blocks_only() -> None:
    builder = TextBuilder()
    builder.separate(0)  # nothing yet: no separator
    builder.copy("Title", 4)
    builder.separate(9)
    builder.separate(9)  # already separated
    builder.copy("Body", 20)
    text, offsets = builder.build()
    assert text == "Title\n\nBody"
    assert offsets.to_source(5) == offsets.to_source(6) == 9 and offsets.to_source(7) == 20
    assert builder.ends_with("Body") and not builder.ends_with("Title")
    assert len(builder) == len(text)


def test_an_offset_before_every_piece_maps_to_the_start() -> None:
    assert OffsetMap((5,), (40,), (True,)).to_source(2) == 0


@given(st.lists(st.tuples(st.text(min_size=1, max_size=5), st.booleans()), max_size=20))
def test_every_copied_character_maps_to_itself_in_a_source_built_alongside(pieces: list) -> None:
    builder, source = TextBuilder(), ""
    for text, copied in pieces:
        if copied:
            builder.copy(text, len(source))
            source += text
        else:
            builder.insert(text, len(source))
            source += "&x;"
    text, offsets = builder.build()
    position = 0
    for piece, copied in pieces:
        if copied:
            for index, char in enumerate(piece):
                assert source[offsets.to_source(position + index)] == char
        position += len(piece)
    assert position == len(text)
