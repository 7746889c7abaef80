"""``framecheck lsp`` in real sessions over stdio: diagnostics equal to ``scan``'s findings with
exact ranges, updates on edit, hovers, quick fixes and waivers that make a finding go, the
rule's page, the workspace command, reloading, and the position encodings."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

from helpers import SEED, run, write_rule_pack
from lsp_session import Editor, session
from lsprotocol import types

SEED_TEXT = SEED.read_text(encoding="utf-8")


def apply(text: str, edit: types.TextEdit) -> str:
    """``text`` with one edit applied (positions in code points: the tests' texts are ASCII there)."""
    lines = text.split("\n")

    def offset(point: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: point.line]) + point.character

    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def actions_for(editor: Editor, uri: str, diagnostic: types.Diagnostic) -> list:
    """Quick fixes (code actions) and commands offered for a diagnostic."""
    found = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc(uri), range=diagnostic.range, context=types.CodeActionContext(diagnostics=[diagnostic])))
    return list(found or ())


def test_the_seed_gets_one_diagnostic_per_finding_with_exact_ranges(tmp_path: Path) -> None:
    path = tmp_path / "seed.md"
    path.write_text(SEED_TEXT, encoding="utf-8")
    expected = json.loads(run("scan", str(path), "--format", "json").stdout)["articles"][0]["findings"]

    async def scenario(editor: Editor) -> None:
        uri = await editor.open(path, SEED_TEXT)
        diagnostics = await editor.diagnostics_for(uri)
        got = [(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
               for d in diagnostics]
        assert got == [(f["rule_id"], f["line"] - 1, f["column"] - 1, f["end_line"] - 1, f["end_column"] - 1)
                       for f in expected]
        assert [d.severity for d in diagnostics] == [
            {"error": 1, "warning": 2, "info": 3}[f["severity"]] for f in expected]
        assert all(d.source == "framecheck" and d.code_description.href.startswith("file:") for d in diagnostics)

        hover = await editor.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=diagnostics[0].range.start))
        assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
        assert "**loaded-verb-terrorise**" in hover.contents.value and "*Why:*" in hover.contents.value
        assert '"attack"' in hover.contents.value and "*Flags:*" in hover.contents.value
        nothing = await editor.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=types.Position(line=0, character=0)))
        assert nothing is None

    session(scenario, tmp_path)


def test_an_edit_a_quick_fix_and_a_waiver_each_make_a_finding_go(tmp_path: Path) -> None:
    async def scenario(editor: Editor) -> None:
        text = "They terrorise the town.\n\nThey terrorise the village.\n\nDo not fall for fakes!\n"
        uri = await editor.open(tmp_path / "story.md", text)
        first = await editor.diagnostics_for(uri, 1)
        assert [d.code for d in first].count("loaded-verb-terrorise") == 2

        actions = await actions_for(editor, uri, first[0])
        replace = [a for a in actions if a.title.startswith("Replace")]
        assert [a.title for a in replace][:2] == ["Replace “terrorise” with “attack”", "Replace “terrorise” with “strike”"]
        text = apply(text, replace[0].edit.changes[uri][0])
        assert text.startswith("They attack the town.")
        await editor.change(uri, 2, text)
        second = await editor.diagnostics_for(uri, 2)
        assert [d.code for d in second].count("loaded-verb-terrorise") == 1

        village = next(d for d in second if d.code == "loaded-verb-terrorise")
        waiver = next(a for a in await actions_for(editor, uri, village) if a.title.startswith("Waive"))
        text = apply(text, waiver.edit.changes[uri][0])
        assert '<!-- framecheck: ignore loaded-verb-terrorise reason="why this stays" -->\nThey terrorise' in text
        await editor.change(uri, 3, text)
        third = await editor.diagnostics_for(uri, 3)
        assert "loaded-verb-terrorise" not in [d.code for d in third]
        assert "distrust-fakes-warning" in [d.code for d in third]
        fakes = next(d for d in third if d.code == "distrust-fakes-warning")
        assert fakes.message.endswith("(also exclamation)") and "exclamation" not in [d.code for d in third]

        edited = types.Range(start=types.Position(line=0, character=5), end=types.Position(line=0, character=11))
        await editor.change(uri, 4, "slaughter", whole=False, at=edited)
        fourth = await editor.diagnostics_for(uri, 4)
        assert "loaded-verb-violence" in [d.code for d in fourth]

        explain = next(a for a in await actions_for(editor, uri, fourth[0]) if a.title.startswith("Explain"))
        assert isinstance(explain, types.Command)
        await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=explain.command, arguments=explain.arguments))
        assert editor.shown and Path(types_path(editor.shown[-1])).read_text(encoding="utf-8").startswith(
            f"# {fourth[0].code}")

    session(scenario, tmp_path)


def types_path(uri: str) -> str:
    return uri.removeprefix("file://")


def test_quoted_speech_is_a_hint_and_other_formats_are_read_as_such(tmp_path: Path) -> None:
    async def scenario(editor: Editor) -> None:
        quoted = 'Earlier on Tuesday the talks ended.\n\n"These traitors terrorise our people," said Vedant Patel.\n'
        uri = await editor.open(tmp_path / "quote.txt", quoted, language="plaintext")
        found = await editor.diagnostics_for(uri)
        verb = next(d for d in found if d.code == "loaded-verb-terrorise")
        assert verb.severity == types.DiagnosticSeverity.Hint and verb.message.endswith("(quoted: Vedant Patel)")
        assert all((d.severity == types.DiagnosticSeverity.Hint) == ("(quoted: " in d.message) for d in found)
        html = "<html><body><p>They <b>terrorise</b> us.</p></body></html>"
        page = await editor.open(tmp_path / "page.html", html, language="html")
        found = await editor.diagnostics_for(page)
        start = html.index("terrorise")  # a position in the HTML source, not in its extracted text
        assert [(d.code, d.range.start.character, d.range.end.character) for d in found] == \
            [("loaded-verb-terrorise", start, start + len("terrorise"))]
        ignored = await editor.open(tmp_path / "code.py", "They terrorise us.\n", language="python")
        await editor.diagnostics_for(page)
        assert ignored not in editor.diagnostics

    session(scenario, tmp_path)


def ranges(diagnostics: list[types.Diagnostic]) -> list[tuple[int, int]]:
    return [(d.range.start.character, d.range.end.character) for d in diagnostics]


def test_ranges_count_in_the_negotiated_encoding(tmp_path: Path) -> None:
    text = "😀 Ворог 😀 They terrorise us.\n"
    before = text[: text.index("terrorise")]
    word = "terrorise"
    utf16 = len(before.encode("utf-16-le")) // 2  # each emoji is two UTF-16 units, a Cyrillic letter one
    utf8 = len(before.encode("utf-8"))
    assert (len(before), utf16, utf8) == (15, 17, 26)

    def check(encoding: str, expected: tuple[int, int]) -> None:
        async def scenario(editor: Editor) -> None:
            uri = await editor.open(tmp_path / "emoji.md", text)
            found = [d for d in await editor.diagnostics_for(uri) if d.code == "loaded-verb-terrorise"]
            assert ranges(found) == [expected]

        session(scenario, tmp_path, encodings=[encoding])

    check(types.PositionEncodingKind.Utf16, (utf16, utf16 + len(word)))
    check(types.PositionEncodingKind.Utf8, (utf8, utf8 + len(word)))
    check(types.PositionEncodingKind.Utf32, (len(before), len(before) + len(word)))


def test_scan_workspace_reports_closed_files_and_a_changed_pack_is_reloaded(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "one.md").write_text("They terrorise the town.\n", encoding="utf-8")
    (tmp_path / "drafts" / "two.txt").write_text("A zorbic plan.\n", encoding="utf-8")
    pack = write_rule_pack(tmp_path / "house.yaml", "house-zorbic", "['zorbic']")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.md").write_text("They terrorise the town.\n", encoding="utf-8")
    (tmp_path / ".framecheck.yaml").write_text("rules: [house.yaml]\nexclude: ['archive/**']\n", encoding="utf-8")

    async def scenario(editor: Editor) -> None:
        summary = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="framecheck.scanWorkspace", arguments=[]))
        assert summary == {"documents": 2, "findings": 2}
        one, two = ((tmp_path / "drafts" / name).as_uri() for name in ("one.md", "two.txt"))
        assert [d.code for d in editor.diagnostics[one]] == ["loaded-verb-terrorise"]
        assert [d.code for d in editor.diagnostics[two]] == ["house-zorbic"]
        archived = await editor.open(tmp_path / "archive" / "old.md", "They terrorise the town.\n")
        assert list(await editor.diagnostics_for(archived)) == [], "excluded files are not checked, open or not"

        uri = await editor.open(tmp_path / "open.md", "A zorbic and flarnish plan.\n")
        assert [d.code for d in await editor.diagnostics_for(uri, 1)] == ["house-zorbic"]
        write_rule_pack(pack, "house-flarnish", "['flarnish']")
        editor.diagnostics.pop(uri)
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc(uri)))
        assert [d.code for d in await editor.diagnostics_for(uri)] == ["house-flarnish"]

        pack.write_text("id: house\nrules: [\n", encoding="utf-8")
        await asyncio.sleep(2.1)  # files are looked at every two seconds at most
        editor.diagnostics.pop(uri)
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc(uri)))
        assert [d.code for d in await editor.diagnostics_for(uri)] == ["house-flarnish"], "the last good rules"
        assert any("did not load" in message and "house.yaml" in message for message in editor.messages)

    session(scenario, tmp_path)


def test_it_listens_on_tcp_for_editors_that_connect(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "framecheck", "lsp", "--tcp", f"127.0.0.1:{port}"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    async def scenario() -> None:
        editor = Editor()
        for _ in range(100):  # until it listens
            try:
                await editor.client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        await editor.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                                    root_uri=tmp_path.as_uri()))
        editor.client.initialized(types.InitializedParams())
        uri = await editor.open(tmp_path / "story.md", "They terrorise the town.\n")
        assert [d.code for d in await editor.diagnostics_for(uri)] == ["loaded-verb-terrorise"]
        await editor.client.shutdown_async(None)
        editor.client.exit(None)
        await editor.client.stop()

    try:
        asyncio.run(scenario())
    finally:
        server.terminate()
        server.wait(10)
    bad = run("lsp", "--tcp", "nowhere")
    assert bad.exit_code == 2 and "HOST:PORT" in bad.stderr
