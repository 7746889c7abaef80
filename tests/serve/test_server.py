"""A real ``framecheck serve`` process on a loopback port: how it starts and refuses to start,
hostile clients, a bounded load test, reloading on SIGHUP and stopping on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from helpers import SEED, write_rule_pack
from serve_helpers import Server, start_server


def serve(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "framecheck", "serve", "--port", "0", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


def test_it_refuses_to_start_exposed_or_broken_with_one_line(serve_env: None, tmp_path: Path) -> None:
    exposed = serve("--host", "0.0.0.0", cwd=tmp_path)
    assert exposed.returncode == 2 and "--token" in exposed.stderr and "Traceback" not in exposed.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nrules:\n  - id: x\n    technique: doubt\n    patterns: [\n", encoding="utf-8")
    failed = serve("--rules", str(broken), cwd=tmp_path)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert [line for line in failed.stderr.splitlines() if "error" in line.lower()][-1].count("broken.yaml") == 1
    missing = serve("--config", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_a_token_lets_it_listen_beyond_loopback(serve_env: None, tmp_path: Path) -> None:
    running = start_server(tmp_path, "--host", "0.0.0.0", "--workers", "1", env={"FRAMECHECK_SERVE_TOKEN": "t0ken"})
    try:
        with running.client() as client:
            assert client.post("/v1/scan", json={"text": "x"}).status_code == 401
            authorised = client.post("/v1/scan", json={"text": "x"}, headers={"authorization": "Bearer t0ken"})
            assert authorised.status_code == 200
            assert client.get("/readyz").status_code == 200
    finally:
        assert running.stop() == 143, "SIGTERM: requests in flight finish, then exit 128 + 15 as scan does"


def test_a_body_sent_slowly_is_cut_off_while_others_are_served(serve_env: None, tmp_path: Path) -> None:
    running = start_server(tmp_path, "--body-timeout", "1", "--workers", "1")
    try:
        port = int(running.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"POST /v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nab")
            with running.client() as client:
                assert client.post("/v1/scan", content=b"They terrorise us.",
                                   headers={"content-type": "text/plain"}).status_code == 200
            answer = slow.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 408") and "application/problem+json" in answer
    finally:
        running.stop()


async def hammer(url: str, count: int, clients: int, body: bytes, path: str = "/v1/scan") -> list[tuple[int, float, str]]:
    """(status, seconds, Retry-After) of ``count`` POSTs from ``clients`` concurrent clients."""
    results: list[tuple[int, float, str]] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)

    async def one_client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            while not queue.empty():
                queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(path, content=body, headers={"content-type": "text/plain"})
                results.append((response.status_code, time.perf_counter() - started,
                                response.headers.get("retry-after", "")))

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return results


def descendants(pid: int) -> list[int]:
    """The process and everything it started (the fork server, the workers), from /proc."""
    parents: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        parents.setdefault(ppid, []).append(int(status.parent.name))
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for parent in frontier for child in parents.get(parent, [])]
        found += frontier
    return found


def running_state(pid: int) -> bool:
    """Whether the process exists and is not a zombie (one an init process has yet to reap)."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def memory_kib(pid: int) -> int:
    """Resident memory of the server and every process under it."""
    total = 0
    for each in descendants(pid):
        try:
            total += next(int(line.split()[1]) for line in Path(f"/proc/{each}/status").read_text().splitlines()
                          if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total


@pytest.mark.slow
def test_load_2000_requests_from_16_clients(server: Server) -> None:
    body = SEED.read_bytes()
    warm = asyncio.run(hammer(server.url, 300, 16, body))
    assert {status for status, _, _ in warm} == {200}
    before = memory_kib(server.process.pid)
    results = asyncio.run(hammer(server.url, 2000, 16, body))
    after = memory_kib(server.process.pid)
    assert len(results) == 2000 and {status for status, _, _ in results} == {200}
    latencies = sorted(seconds for _, seconds, _ in results)
    p50, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99)]
    print(f"\nload: 2000 requests, 16 clients: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms; "
          f"memory {before} -> {after} KiB")
    assert after - before < max(before * 0.1, 20_000), "memory stays flat after warm-up"


@pytest.mark.slow
def test_ten_thousand_tiny_requests_get_answers_or_503_and_service_goes_on(serve_env: None, tmp_path: Path) -> None:
    running = start_server(tmp_path, "--queue", "8", "--workers", "2")
    try:
        results = asyncio.run(hammer(running.url, 10_000, 64, b"They terrorise us."))
        statuses = {status for status, _, _ in results}
        assert len(results) == 10_000 and statuses <= {200, 503} and 200 in statuses
        assert 503 in statuses, "64 clients against a queue of 8 are turned away at times"
        assert all(retry == "1" for status, _, retry in results if status == 503)
        with running.client() as client:
            assert client.post("/v1/scan", content=b"They terrorise us.",
                               headers={"content-type": "text/plain"}).status_code == 200
            assert client.get("/readyz").json()["in_flight"] == 0
    finally:
        running.stop()


def test_sighup_reloads_and_sigterm_stops_cleanly(serve_env: None, tmp_path: Path) -> None:
    pack = write_rule_pack(tmp_path / "house.yaml", "house-zorbic", "['zorbic']")
    running = start_server(tmp_path, "--rules", str(pack), "--no-default-rules", "--reload-interval", "0")
    try:
        with running.client() as client:
            assert [r["id"] for r in client.get("/v1/rules").json()["rules"]] == ["house-zorbic"]
            write_rule_pack(pack, "house-vexatory", "['vexatory']")
            time.sleep(0.5)
            assert client.get("/readyz").json()["generation"] == 1, "no polling with --reload-interval 0"
            running.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 30
            while client.get("/readyz").json()["generation"] == 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert [r["id"] for r in client.get("/v1/rules").json()["rules"]] == ["house-vexatory"]
            pack.write_text("id: house\nrules: [\n", encoding="utf-8")
            running.process.send_signal(signal.SIGHUP)
            while client.get("/readyz").json()["reload_error"] is None and time.monotonic() < deadline + 30:
                time.sleep(0.1)
            assert "house.yaml" in client.get("/readyz").json()["reload_error"]
            assert [r["id"] for r in client.get("/v1/rules").json()["rules"]] == ["house-vexatory"]
        workers = descendants(running.process.pid)[1:]
        assert len(workers) >= 3, "a fork server and its workers"
    finally:
        code = running.stop()
    assert code == 143
    log = running.log_text()
    assert "reloaded (SIGHUP)" in log and "reload (SIGHUP) failed, still serving generation 2" in log
    assert "Traceback" not in log
    time.sleep(0.5)
    assert not [pid for pid in workers if running_state(pid)], "no worker outlives the server"


def test_the_batch_streams_over_a_real_connection(server: Server) -> None:
    records = "".join(json.dumps({"id": i, "text": f"Record {i}: they terrorise us."}) + "\n" for i in range(50))

    def chunks():  # sent in pieces, as a client streaming a corpus does
        data = records.encode()
        for start in range(0, len(data), 700):
            yield data[start:start + 700]

    with server.client() as client:
        response = client.post("/v1/scan/batch", content=chunks(), headers={"content-type": "application/x-ndjson"})
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["source"] for line in lines[:-1]] == [str(i) for i in range(50)]
    assert lines[-1]["summary"]["articles"] == 50 and not lines[-1]["summary"]["errors"]
