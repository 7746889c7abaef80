"""Helpers for the service's tests: in-process apps behind FastAPI's test client, and a real
``framecheck serve`` process on a loopback port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from framecheck.app.config import Config
from framecheck.serve.api import create_app
from framecheck.serve.service import ServeSettings, Service

LISTENING = re.compile(r"Uvicorn running on http://[^ ]+:(\d+) ")  # reached through loopback whatever the host


def client_for(config: Config, **settings: object) -> TestClient:
    """A test client over an app whose workers scan with ``config``; use it in ``with``."""
    defaults: dict[str, object] = {"workers": 1, "reload_interval": 0}
    service = Service(ServeSettings(**{**defaults, **settings}), lambda: config)
    return TestClient(create_app(service), raise_server_exceptions=False)


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
