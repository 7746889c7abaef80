"""The Dockerfile and compose file, read as a reviewer reads them (no Docker engine runs in CI):
a slim base, an unprivileged user, a health check, a token required by the command they run."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import REPO


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_image_is_slim_unprivileged_and_checks_its_own_health() -> None:
    steps = instructions()
    base = next(rest for keyword, rest in steps if keyword == "FROM")
    assert base.startswith("python:") and base.endswith("-slim")
    user = [rest for keyword, rest in steps if keyword == "USER"]
    assert user and user[-1] not in ("root", "0")
    health = next(rest for keyword, rest in steps if keyword == "HEALTHCHECK")
    assert "/readyz" in health
    for keyword, rest in steps:
        if keyword == "COPY":
            *sources, _target = rest.split()
            assert all((REPO / source).exists() for source in sources), rest
    install = next(rest for keyword, rest in steps if keyword == "RUN")
    assert '".[serve]"' in install


def entrypoint() -> list[str]:
    steps = dict(instructions())
    return json.loads(steps["ENTRYPOINT"]) + json.loads(steps["CMD"])


def test_the_image_command_refuses_to_serve_beyond_loopback_without_a_token(serve_env: None, tmp_path: Path) -> None:
    command = entrypoint()
    assert command[:2] == ["framecheck", "serve"] and "--no-auth" not in command
    assert command[command.index("--host") + 1] == "0.0.0.0"
    started = subprocess.run([sys.executable, "-m", "framecheck", *command[1:]], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60, check=False)
    assert started.returncode == 2 and "FRAMECHECK_SERVE_TOKEN" in started.stderr, shlex.join(command)


def test_compose_binds_loopback_and_requires_the_token() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["framecheck"]
    assert all(port.startswith("127.0.0.1:") for port in service["ports"])
    assert ":?" in service["environment"]["FRAMECHECK_SERVE_TOKEN"]
    assert service["read_only"] is True and "/tmp" in service["tmpfs"] and service["init"] is True
    assert all(volume.endswith(":ro") for volume in service["volumes"])
