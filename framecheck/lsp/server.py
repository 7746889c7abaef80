"""``framecheck lsp``: live diagnostics, hovers and quick fixes in the writer's editor (pygls).

Diagnostics come on open, change and save for the configured language ids (Markdown, plain
text and HTML by default); findings in quoted speech of named speakers or in site chrome come
as hints, not hidden, and waived ones not at all, as in ``scan``'s gate. Hover explains a
finding; code actions replace it with each of its rule's replacements, add an inline waiver for
it, or open its rule's page. The command ``framecheck.scanWorkspace`` reports every article in
the workspace folders.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .._version import __version__
from ..app.waivers import paragraph_start
from ..core.errors import FramecheckError
from ..core.offsets import line_break_in
from ..inputs.walk import collect_inputs
from ..serve.worker import ScanJob, ScanReply
from . import findings as shown
from .scanning import Scanner, report_of

# Editor language id -> the reader that reads it.
LANGUAGES = {"markdown": "markdown", "plaintext": "text", "html": "html"}
SCAN_WORKSPACE = "framecheck.scanWorkspace"
SHOW_RULE = "framecheck.showRule"


class FramecheckServer(LanguageServer):
    """The language server: documents in, diagnostics out, through a :class:`Scanner`."""

    def __init__(self, workers: int = 1):
        super().__init__("framecheck", __version__)
        self.scanner = Scanner(self._publish, workers=workers)
        self.languages = dict(LANGUAGES)
        self.shown: dict[str, list[shown.Shown]] = {}
        self.pages = tempfile.TemporaryDirectory(prefix="framecheck-rules-")  # removed when the server stops
        self.rule_pages = Path(self.pages.name)
        self.pages_written: set[str] = set()

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def configure(self, options: Any) -> None:
        """``initializationOptions``: ``{"languages": {"markdown": "markdown", ...}}``."""
        languages = options.get("languages") if isinstance(options, dict) else None
        if isinstance(languages, dict):
            self.languages = {str(k): str(v) for k, v in languages.items() if v in ("markdown", "text", "html")}

    def wants(self, uri: str, language_id: str | None) -> str | None:
        """The reader for a document, or None when framecheck does not check it."""
        if not uri.startswith("file:"):
            return None
        if language_id in self.languages:
            return self.languages[language_id]
        suffix = Path(to_fs_path(uri) or "").suffix.lower()
        return {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html",
                ".htm": "html"}.get(suffix) if language_id is None else None

    def check(self, uri: str) -> None:
        """Scan the document's current text."""
        document = self.workspace.get_text_document(uri)
        reader = self.wants(uri, document.language_id)
        if reader is None:
            return
        path = Path(to_fs_path(uri) or uri)
        self.scanner.request(uri, path, document.version or 0, document.source, reader)

    async def _publish(self, uri: str, version: int, text: str, reply: ScanReply) -> None:
        if reply.problem is not None:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"framecheck: {reply.detail}"))
        for note in reply.summary.incomplete:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"framecheck: {note}"))
        found = shown.shown_findings(report_of(reply), text, self.encoding)
        self.shown[uri] = found
        path = Path(to_fs_path(uri) or uri)
        catalogue = await self._catalogue(path)
        diagnostics = [item.diagnostic(self._rule_page(item.finding["rule_id"], catalogue)) for item in found]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics,
                                                                              version=version))

    async def _catalogue(self, path: Path) -> dict[str, dict]:
        try:
            return {rule["id"]: rule for rule in (await self.scanner.catalogue(path))["rules"]}
        except FramecheckError:
            return {}

    def _rule_page(self, rule_id: str, catalogue: dict[str, dict]) -> str | None:
        """A file with the rule's documentation, written once per rule, linked from its diagnostics."""
        rule = catalogue.get(rule_id)
        if rule is None:
            return None
        page = self.rule_pages / f"{rule_id}.md"
        if rule_id not in self.pages_written:  # once per rule, not once per diagnostic and edit
            page.write_text(shown.rule_markdown(rule), encoding="utf-8")
            self.pages_written.add(rule_id)
        return page.as_uri()

    def at(self, uri: str, point: types.Position) -> list[shown.Shown]:
        return [item for item in self.shown.get(uri, ()) if shown.contains(item.range, point)]

    async def scan_workspace(self) -> dict:
        """Scan every article under the workspace folders (closed files too, as include/exclude
        and .gitignore allow); how many were scanned and how many findings they have."""
        folders = [to_fs_path(folder.uri) for folder in self.workspace.folders.values()]
        suffixes = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
        paths = [item.path for item in collect_inputs([f for f in folders if f], suffixes)
                 if getattr(item, "path", None) is not None]
        scanned = found = 0
        for path in paths:
            uri = path.resolve().as_uri()
            workers = await self.scanner.workers_for(path)
            if uri in self.workspace.text_documents or not workers.config.wants(path):
                continue  # open documents are checked already, with their unsaved text
            text = await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")
            job = ScanJob(name=str(path), data=text.encode("utf-8"), input_format=self.wants(uri, None) or "text",
                          output="json")
            await self._publish(uri, 0, text, await workers.pool.scan(job, None))
            scanned += 1
            found += len(self.shown.get(uri, ()))
        return {"documents": scanned, "findings": found}


def create_server(workers: int = 1) -> FramecheckServer:
    """The server with every feature registered."""
    server = FramecheckServer(workers)

    @server.feature(types.INITIALIZE)
    def initialize(ls: FramecheckServer, params: types.InitializeParams) -> None:
        ls.configure(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FramecheckServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: FramecheckServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check(params.text_document.uri)
        await _reload_and_recheck(ls)  # at most every few seconds: a pack edited elsewhere counts too

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: FramecheckServer, params: types.DidSaveTextDocumentParams) -> None:
        await _reload_and_recheck(ls)
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FramecheckServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.scanner.forget(params.text_document.uri)
        ls.shown.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                            diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: FramecheckServer, _params: types.DidChangeWatchedFilesParams) -> None:
        await _reload_and_recheck(ls)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: FramecheckServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.at(params.text_document.uri, params.position)
        if not found:
            return None
        catalogue = await ls._catalogue(Path(to_fs_path(params.text_document.uri) or ""))
        text = "\n\n---\n\n".join(shown.hover_text(item.finding, catalogue.get(item.finding["rule_id"]))
                                  for item in found)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                           range=found[0].range)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: FramecheckServer, params: types.CodeActionParams) -> list[types.CodeAction | types.Command]:
        return _actions(ls, params)

    @server.command(SCAN_WORKSPACE)
    async def scan_workspace(ls: FramecheckServer, *_args: Any) -> dict:
        return await ls.scan_workspace()

    @server.command(SHOW_RULE)
    async def show_rule(ls: FramecheckServer, *args: Any) -> None:
        rule_id = str(args[0]) if args else ""
        pages = {page.stem: page for page in ls.rule_pages.glob("*.md")}
        if rule_id in pages:
            await ls.window_show_document_async(types.ShowDocumentParams(uri=pages[rule_id].as_uri(), take_focus=True))

    return server


async def _reload_and_recheck(ls: FramecheckServer) -> None:
    try:
        changed = await ls.scanner.reload_if_changed()
    except FramecheckError as exc:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error,
                               f"framecheck: the changed configuration did not load; the last good one is used: {exc}"))
        return
    if changed:
        ls.pages_written.clear()  # a rule's page is written anew from the reloaded rules
        for uri in list(ls.workspace.text_documents):
            ls.check(uri)


def _actions(ls: FramecheckServer, params: types.CodeActionParams) -> list[types.CodeAction | types.Command]:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    lines = shown.editor_lines(document.source)
    reader = ls.wants(uri, document.language_id) or "text"
    actions: list[types.CodeAction | types.Command] = []
    for item in ls.shown.get(uri, ()):
        if not shown.overlaps(item.range, params.range):
            continue
        finding = item.finding
        diagnostic = item.diagnostic(None)
        for replacement in finding.get("replace", ()):
            edit = types.TextEdit(range=item.range, new_text=replacement)
            actions.append(types.CodeAction(
                title=f"Replace “{finding['excerpt']}” with “{replacement}”", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], edit=types.WorkspaceEdit(changes={uri: [edit]}),
                is_preferred=len(finding["replace"]) == 1))
        start = paragraph_start(lines, item.range.start.line)
        waiver = types.TextEdit(range=types.Range(start=types.Position(start, 0), end=types.Position(start, 0)),
                                new_text=shown.editor_waiver(finding, reader) + line_break_in(document.source))
        actions.append(types.CodeAction(
            title=f"Waive {finding['rule_id']} for this paragraph (give the reason)",
            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [waiver]})))
        # A bare command, not a code action carrying one: clients tell the two apart by whether
        # "command" is a string, and some (lsprotocol's) take any object with it for a command.
        actions.append(types.Command(title=f"Explain {finding['rule_id']}", command=SHOW_RULE,
                                     arguments=[finding["rule_id"]]))
    return actions


def run(transport: str | None, workers: int) -> None:
    """Serve over stdio, or over TCP at ``HOST:PORT``."""
    level = os.environ.get("FRAMECHECK_LSP_LOG", "WARNING").upper()
    logging.basicConfig(level=getattr(logging, level, logging.WARNING))
    server = create_server(workers)
    try:
        if transport:
            host, _, port = transport.rpartition(":")
            server.start_tcp(host or "127.0.0.1", int(port))
        else:
            protocol_in, protocol_out = _own_stdio()
            server.start_io(protocol_in, protocol_out)
    finally:
        server.scanner.close()
        server.pages.cleanup()


def _own_stdio() -> tuple[BinaryIO, BinaryIO]:
    """The protocol's own copies of stdin and stdout; file descriptors 0 and 1 then point at
    /dev/null and stderr. Worker processes inherit descriptors: one that wrote to stdout (a
    plugin's print) would corrupt the protocol stream, and one holding the pipes open would
    keep the editor waiting for the server to go after it has exited."""
    protocol_in = os.fdopen(os.dup(0), "rb")  # buffered: read(n) returns n bytes, not what a pipe holds
    protocol_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return protocol_in, protocol_out
