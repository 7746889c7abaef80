"""What must not take the language server down: malformed messages, a 5 MB document edited
mid-scan, and plugins that raise or end their process."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from helpers import ROGUE_PLUGIN, SEED
from lsp_session import Editor, session
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound


async def still_answers(editor: Editor, root: Path) -> None:
    uri = await editor.open(root / f"probe-{time.monotonic_ns()}.md", "They terrorise the town.\n")
    assert [d.code for d in await editor.diagnostics_for(uri)] == ["loaded-verb-terrorise"]
    hover = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=6)))
    assert hover is not None


def test_malformed_messages_leave_the_server_answering(tmp_path: Path) -> None:
    async def scenario(editor: Editor) -> None:
        stdin = editor.client._server.stdin  # the raw pipe: what no well-behaved client would send
        for junk in (b'{"jsonrpc": "2.0", "method": ', b"\xff\xfe not json at all", b'{"id": 7}',
                     b'{"jsonrpc": "2.0", "id": 8, "method": "textDocument/hover", "params": {"bogus": 1}}'):
            stdin.write(b"Content-Length: %d\r\n\r\n" % len(junk) + junk)
        await stdin.drain()
        with pytest.raises(JsonRpcMethodNotFound):
            await editor.client.protocol.send_request_async("framecheck/noSuchMethod", {})
        await still_answers(editor, tmp_path)

    session(scenario, tmp_path)


def test_a_5mb_document_is_scanned_aside_and_an_edit_cancels_it(tmp_path: Path) -> None:
    article = SEED.read_text(encoding="utf-8") + "\n\n"
    big = article * (5_000_000 // len(article) + 1)
    assert len(big) > 5_000_000

    async def scenario(editor: Editor) -> None:
        uri = await editor.open(tmp_path / "big.md", big)
        await asyncio.sleep(0.5)
        started = time.monotonic()
        await still_answers(editor, tmp_path)  # a short document is not held up by the big one
        assert time.monotonic() - started < 5
        await editor.change(uri, 2, "Now it is short. They terrorise us.\n")
        found = await editor.diagnostics_for(uri, 2, timeout=60)
        assert [d.code for d in found] == ["loaded-verb-terrorise"]
        assert editor.versions[uri] == 2, "the scan of the 5 MB text was cancelled, never published"

    session(scenario, tmp_path)


def test_plugins_that_raise_or_exit_do_not_take_the_server_down(tmp_path: Path) -> None:
    (tmp_path / "rogue.py").write_text(ROGUE_PLUGIN, encoding="utf-8")
    (tmp_path / ".framecheck.yaml").write_text("plugins: [rogue.py]\n", encoding="utf-8")

    async def scenario(editor: Editor) -> None:
        uri = await editor.open(tmp_path / "story.md", "BOOM. They terrorise the town.\n")
        found = await editor.diagnostics_for(uri, 1)
        assert "loaded-verb-terrorise" in [d.code for d in found], "the other detectors still report"
        assert any("incomplete" in message and "rogue" in message for message in editor.messages)

        await editor.change(uri, 2, "EXITNOW. They terrorise the town.\n")
        await editor.diagnostics_for(uri, 2)
        assert any("died" in message for message in editor.messages)
        await editor.change(uri, 3, "Calm again. They terrorise the town.\n")
        assert [d.code for d in await editor.diagnostics_for(uri, 3)] == ["loaded-verb-terrorise"]

    session(scenario, tmp_path)
