"""Fixtures for every test: no third-party plugins unless a test installs one on purpose."""

from __future__ import annotations

import pytest
from helpers import make_engine

from framecheck.engine import Engine


@pytest.fixture(autouse=True)
def _no_third_party_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only framecheck's own plugins unless a test installs one on purpose."""
    monkeypatch.setenv("FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture(scope="session")
def default_engine() -> Engine:
    return make_engine()
