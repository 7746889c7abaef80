"""Hostile cases run the real CLI in a subprocess; every run checks that no input changed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import run_subprocess


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every regular, readable file below ``root``."""
    state = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK):
                state[str(path)] = (path.read_bytes(), path.stat().st_mtime_ns)
    return state


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


ScanRunner = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def scan(inputs: Path) -> ScanRunner:
    """``scan(*args, deleted=(), timeout=...)``: run ``framecheck scan`` and check the inputs.

    ``deleted`` names files the test itself removes during the run.
    """

    def run(*args: str, deleted: tuple[Path, ...] = (), timeout: float = 120, env: dict | None = None):
        before = snapshot(inputs)
        result = run_subprocess("scan", *args, timeout=timeout, env=env)
        after = snapshot(inputs)
        for path in deleted:
            before.pop(str(path), None)
        assert after == before, "a scan must never modify its input files"
        if "--debug" not in args:
            assert "Traceback" not in result.stderr + result.stdout
        return result

    return run
