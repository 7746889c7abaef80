"""A real language-server session over stdio for the tests: ``framecheck lsp`` in a
subprocess, driven by pygls' own client the way an editor drives it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient


class Editor:
    """A client that keeps what the server publishes, per document."""

    def __init__(self) -> None:
        self.client = LanguageClient("framecheck-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.versions: dict[str, int | None] = {}
        self.messages: list[str] = []
        self.updated = asyncio.Event()
        self.shown: list[str] = []
        self.stderr: list[str] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.versions[params.uri] = params.version
            self.updated.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.messages.append(params.message)

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def told(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)

        @self.client.feature(types.WINDOW_SHOW_DOCUMENT)
        def show(params: types.ShowDocumentParams) -> types.ShowDocumentResult:
            self.shown.append(params.uri)
            return types.ShowDocumentResult(success=True)

    async def start(self, root: Path, encodings: list[str] | None = None, options: Any = None) -> None:
        await self.client.start_io(sys.executable, "-m", "framecheck", "lsp", env={**os.environ}, cwd=str(root))
        self._stderr_task = asyncio.ensure_future(self._drain_stderr())
        capabilities = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=encodings or [types.PositionEncodingKind.Utf16]),
            window=types.WindowClientCapabilities(show_document=types.ShowDocumentClientCapabilities(support=True)),
        )
        await self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=root.as_uri(), initialization_options=options,
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]))
        self.client.initialized(types.InitializedParams())

    async def open(self, path: Path, text: str, language: str = "markdown", version: int = 1) -> str:
        uri = path.as_uri()
        self.updated.clear()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))
        return uri

    async def change(self, uri: str, version: int, text: str, whole: bool = True,
                     at: types.Range | None = None) -> None:
        self.updated.clear()
        change: Any = (types.TextDocumentContentChangeWholeDocument(text=text) if whole else
                       types.TextDocumentContentChangePartial(range=at, text=text))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))

    async def diagnostics_for(self, uri: str, version: int | None = None, timeout: float = 30) -> list[types.Diagnostic]:
        """The diagnostics published for ``uri`` (for ``version``, when given)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if uri in self.diagnostics and (version is None or self.versions.get(uri) == version):
                return self.diagnostics[uri]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no diagnostics for {uri} version {version}; log: {self.messages}; "
                                     f"server: {await self.server_log()}")
            self.updated.clear()
            try:
                await asyncio.wait_for(self.updated.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def _drain_stderr(self) -> None:
        """Keep what the server writes on stderr (unread, a full pipe would block the server)."""
        stream = self.client._server.stderr
        while stream is not None and (chunk := await stream.read(65536)):
            self.stderr.append(chunk.decode(errors="replace"))

    async def server_log(self) -> str:
        return "".join(self.stderr)[-5000:]

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def session(scenario: Callable[[Editor], Awaitable[None]], root: Path, **start: Any) -> None:
    """Run ``scenario`` against a fresh server rooted at ``root``; the server is always stopped."""

    async def run() -> None:
        editor = Editor()
        await editor.start(root, **start)
        try:
            await scenario(editor)
        finally:
            await editor.stop()

    asyncio.run(run())
