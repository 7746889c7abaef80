"""Fixtures for every test: no third-party plugins unless a test installs one on purpose."""

from __future__ import annotations

import pytest
from helpers import make_engine

from framecheck.engine.engine import Engine


@pytest.fixture(scope="session")
def _pack_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pack-cache"))


@pytest.fixture(autouse=True)
def _no_third_party_plugins(monkeypatch: pytest.MonkeyPatch, _pack_cache_dir: str) -> None:
    """Tests see only framecheck's own plugins unless a test installs one on purpose, and
    cache packs in a folder of the test session's own, never in the user's home."""
    monkeypatch.setenv("FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", _pack_cache_dir)
    monkeypatch.delenv("FRAMECHECK_NO_CACHE", raising=False)


@pytest.fixture(scope="session")
def default_engine() -> Engine:
    return make_engine()
