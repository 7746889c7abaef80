"""The VS Code extension in ``editors/vscode``: built with npm from its lock file and packaged
as a .vsix, and saying what the language server does (language ids, commands)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers import REPO

from framecheck.lsp.server import LANGUAGES, SCAN_WORKSPACE

EXTENSION = REPO / "editors" / "vscode"


def test_the_extension_asks_for_what_the_server_offers() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    settings = manifest["contributes"]["configuration"]["properties"]
    assert settings["framecheck.languages"]["default"] == LANGUAGES
    assert settings["framecheck.command"]["default"] == ["framecheck", "lsp"]
    assert SCAN_WORKSPACE in {command["command"] for command in manifest["contributes"]["commands"]}
    assert sorted(manifest["activationEvents"]) == sorted(f"onLanguage:{language}" for language in LANGUAGES)


@pytest.mark.slow
def test_npm_builds_and_packages_the_extension(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    assert npm, "the extension is built with npm (Debian: apt-get install npm; the machine's Node.js has it)"
    work = tmp_path / "vscode"
    shutil.copytree(EXTENSION, work, ignore=shutil.ignore_patterns("node_modules", "dist", "*.vsix"))
    for step in (["ci", "--no-audit", "--no-fund"], ["run", "package"]):
        done = subprocess.run([npm, *step], cwd=work, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with zipfile.ZipFile(work / "framecheck.vsix") as vsix:
        names = set(vsix.namelist())
        assert {"extension/package.json", "extension/dist/extension.js", "extension/LICENSE.txt"} <= names
        bundle = vsix.read("extension/dist/extension.js").decode("utf-8")
    assert "framecheck" in bundle and "LanguageClient" in bundle
    assert not any(name.startswith("extension/node_modules/") for name in names), "dependencies are bundled"
