"""Fixtures for the service: in-process apps behind FastAPI's test client, and a real
``framecheck serve`` process on a loopback port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from framecheck.app.config import Config
from framecheck.serve.api import create_app
from framecheck.serve.service import ServeSettings, Service

LISTENING = re.compile(r"Uvicorn running on http://[^ ]+:(\d+) ")  # reached through loopback whatever the host
# A plugin for the hostile tests: sleeps on SLOWDOWN (past any budget), ends its process on EXITNOW.
ROGUE_PLUGIN = '''
import os, signal, time
import framecheck

class Rogue:
    name = "rogue"
    rules = ()

    def detect(self, document):
        if "SLOWDOWN" in document.text:
            time.sleep(30)
        if "NAP" in document.text:  # slow, but within any budget a test sets
            time.sleep(1.5)
        if "EXITNOW" in document.text:
            os._exit(3)
        if "BLOCKALARM" in document.text:  # where no time budget reaches
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(30)
        return iter(())

@framecheck.hookimpl
def framecheck_detectors(packs, options):
    return [Rogue()]
'''


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


def client_for(config: Config, **settings: object) -> TestClient:
    """A test client over an app whose workers scan with ``config``; use it in ``with``."""
    defaults: dict[str, object] = {"workers": 1, "reload_interval": 0}
    service = Service(ServeSettings(**{**defaults, **settings}), lambda: config)
    return TestClient(create_app(service), raise_server_exceptions=False)


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


@dataclass
class Server:
    """A running ``framecheck serve`` process."""

    process: subprocess.Popen
    url: str
    log: Path

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)  # type: ignore[arg-type]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(tmp: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Server:
    """``framecheck serve --port 0 ARGS`` on loopback, once it says where it listens."""
    log = tmp / f"serve-{time.monotonic_ns()}.log"
    handle = log.open("w", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "framecheck", "serve", "--port", "0", *args],
                               stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                               cwd=tmp)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            return Server(process, f"http://127.0.0.1:{found.group(1)}", log)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"framecheck serve did not start:\n{log.read_text(encoding='utf-8', errors='replace')}")


@pytest.fixture(scope="session")
def server(serve_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server with the default configuration and two workers."""
    running = start_server(tmp_path_factory.mktemp("server"), "--workers", "2")
    yield running
    running.stop()
