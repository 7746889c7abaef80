"""The service behind the API: reloading a changed configuration without dropping the last good
engine, and surviving documents that hit the time budget or take their worker down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from helpers import write_rule_pack
from serve_helpers import client_for

from framecheck.app.config import Config


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def rule_ids(client: TestClient) -> set[str]:
    return {rule["id"] for rule in client.get("/v1/rules").json()["rules"]}


def test_a_changed_pack_is_picked_up_and_a_broken_one_keeps_the_last_good_engine(serve_env: None,
                                                                                  tmp_path: Path) -> None:
    pack = write_rule_pack(tmp_path / "house.yaml", "house-zorbic", "['zorbic']")
    config = Config(rules=(str(tmp_path),), no_default_rules=True)
    with client_for(config, reload_interval=0.2) as client:
        assert rule_ids(client) == {"house-zorbic"}
        first = client.get("/readyz").json()["generation"]

        write_rule_pack(pack, "house-flarnish", "['flarnish']")
        assert wait_for(lambda: client.get("/readyz").json()["generation"] > first)
        assert rule_ids(client) == {"house-flarnish"}
        found = client.post("/v1/scan", json={"text": "A flarnish plan."}).json()["articles"][0]["findings"]
        assert [f["rule_id"] for f in found] == ["house-flarnish"]

        pack.write_text("id: house\nrules:\n  - id: [unclosed\n", encoding="utf-8")
        assert wait_for(lambda: client.get("/readyz").json()["reload_error"] is not None)
        ready = client.get("/readyz").json()
        assert ready["status"] == "degraded" and "house.yaml" in ready["reload_error"]
        assert rule_ids(client) == {"house-flarnish"}, "the last good engine still serves"
        assert client.post("/v1/scan", json={"text": "A flarnish plan."}).json()["articles"][0]["findings"]

        write_rule_pack(pack, "house-grulent", "['grulent']")
        assert wait_for(lambda: client.get("/readyz").json()["status"] == "ready")
        assert rule_ids(client) == {"house-grulent"}


def test_documents_over_the_budget_or_killing_their_worker_do_not_stop_the_service(serve_env: None,
                                                                                  rogue_plugin: Path) -> None:
    config = Config(plugins=(str(rogue_plugin),), document_timeout=0.5)
    with client_for(config, hard_timeout_grace=1.0) as client:
        slow = client.post("/v1/scan", json={"text": "SLOWDOWN They terrorise us."})
        assert slow.status_code == 422 and "--document-timeout" in slow.json()["detail"]

        died = client.post("/v1/scan", json={"text": "EXITNOW"})
        assert died.status_code == 503 and died.headers["retry-after"] == "1"
        assert "died" in died.json()["detail"]
        assert client.post("/v1/scan", json={"text": "They terrorise us."}).status_code == 200

        started = time.monotonic()
        stuck = client.post("/v1/scan", json={"text": "BLOCKALARM"})
        assert stuck.status_code == 503 and "restarted" in stuck.json()["detail"]
        assert time.monotonic() - started < 10
        after = client.post("/v1/scan", json={"text": "They terrorise us."})
        assert after.status_code == 200 and after.json()["articles"][0]["findings"]
        assert client.get("/readyz").json()["generation"] == 3, "two replacements after the first pool"


def test_a_reload_lets_requests_in_flight_finish(serve_env: None, tmp_path: Path, rogue_plugin: Path) -> None:
    pack = write_rule_pack(tmp_path / "house.yaml", "house-zorbic", "['zorbic']")
    config = Config(rules=(str(tmp_path),), plugins=(str(rogue_plugin),), no_default_rules=True)
    with client_for(config, reload_interval=0.1) as client:
        answers: list = []
        slow = threading.Thread(target=lambda: answers.append(client.post("/v1/scan", json={"text": "NAP zorbic"})))
        slow.start()
        time.sleep(0.3)  # the request is in a worker now
        write_rule_pack(pack, "house-flarnish", "['flarnish']")
        assert wait_for(lambda: client.get("/readyz").json()["generation"] == 2)
        slow.join(30)
        assert answers[0].status_code == 200
        assert [f["rule_id"] for f in answers[0].json()["articles"][0]["findings"]] == ["house-zorbic"]
        assert rule_ids(client) == {"house-flarnish"}
