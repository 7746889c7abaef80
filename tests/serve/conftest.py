"""Fixtures for the service's tests (helpers in ``serve_helpers.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import ROGUE_PLUGIN
from serve_helpers import Server, client_for, start_server

from framecheck.app.config import Config


@pytest.fixture(scope="session")
def serve_env(_pack_cache_dir: str) -> Iterator[None]:
    """What the autouse fixture sets per test, set for the session: worker processes start
    from the environment of the first test that starts a pool."""
    saved = {key: os.environ.get(key) for key in ("FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD", "FRAMECHECK_CACHE_DIR")}
    os.environ["FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ["FRAMECHECK_CACHE_DIR"] = _pack_cache_dir
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def client(serve_env: None) -> Iterator[TestClient]:
    """The default configuration, one warm worker, a 1 MB body limit."""
    with client_for(Config(), max_bytes=1_000_000) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def rogue_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plugins") / "rogue_plugin.py"
    path.write_text(ROGUE_PLUGIN, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def server(serve_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server with the default configuration and two workers."""
    running = start_server(tmp_path_factory.mktemp("server"), "--workers", "2")
    yield running
    running.stop()
