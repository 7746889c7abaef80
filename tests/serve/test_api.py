"""The HTTP API through FastAPI's test client: the same reports as ``scan``, problem details
for every error, and what a request may and may not choose."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import DATA, REPO, SEED, run
from serve_helpers import client_for

from framecheck.app.config import Config

SEED_NAME = "examples/obozrevatel-iran-russia-2023.txt"
PLAIN = {"content-type": "text/plain"}


def cli_report(*args: str) -> str:
    result = run("scan", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


def test_a_scan_is_the_json_of_scan_field_for_field(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    expected = json.loads(cli_report(SEED_NAME, "--format", "json"))
    response = client.post("/v1/scan", params={"name": SEED_NAME}, content=SEED.read_bytes(), headers=PLAIN)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["framecheck-check"] == "fail"
    assert response.json() == expected
    assert len(expected["articles"][0]["findings"]) >= 4


def test_a_json_body_gives_the_same_report_and_sarif_that_validates(client: TestClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    body = {"text": SEED.read_text(encoding="utf-8"), "name": SEED_NAME, "output": "sarif"}
    response = client.post("/v1/scan", json=body)
    assert response.status_code == 200 and response.headers["content-type"] == "application/sarif+json"
    sarif = response.json()
    jsonschema.validate(sarif, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))
    assert sarif == json.loads(cli_report(SEED_NAME, "--format", "sarif"))


@pytest.mark.parametrize("fmt, name", [("markdown", "seed.md"), ("html", "seed.html")])
def test_markup_is_read_as_asked_and_offsets_index_the_returned_text(client: TestClient, fmt: str, name: str) -> None:
    source = (DATA / name).read_text(encoding="utf-8")
    response = client.post("/v1/scan", json={"text": source, "format": fmt, "include_text": True})
    article = response.json()["articles"][0]
    assert article["findings"], "the seed's devices are found in markup too"
    assert "<" not in article["text"][:200] and "**" not in article["text"]
    for finding in article["findings"]:
        assert article["text"][finding["start"]:finding["end"]] == finding["excerpt"]
    raw = client.post("/v1/scan", content=source.encode(), headers={"content-type": f"text/{fmt}"})
    assert [f["start"] for f in raw.json()["articles"][0]["findings"]] == [f["start"] for f in article["findings"]]


def first_example(language: str) -> tuple[str, str]:
    """(rule id, text it must flag) of the first rule with examples in a shipped pack."""
    for pack in sorted((REPO / "rules" / language).glob("*.yaml")):
        data = yaml.safe_load(pack.read_text(encoding="utf-8"))
        for rule in data.get("rules", ()):
            if rule.get("examples", {}).get("match"):
                return rule["id"], rule["examples"]["match"][0]
    raise AssertionError(f"no {language} rule has examples")


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_ukrainian_and_russian_are_told_and_scanned(client: TestClient, language: str) -> None:
    rule_id, text = first_example(language)
    article = client.post("/v1/scan", json={"text": text}).json()["articles"][0]
    assert article["language"] == language
    assert rule_id in {f["rule_id"] for f in article["findings"]}


def test_selection_and_gate_settings_apply_per_request(client: TestClient) -> None:
    text = SEED.read_text(encoding="utf-8")
    only = client.post("/v1/scan", json={"text": text, "select": "distrust-call"}).json()
    assert {f["technique"] for f in only["articles"][0]["findings"]} == {"distrust-call"}
    without = client.post("/v1/scan", json={"text": text, "ignore": ["distrust-call", "loaded-language"]}).json()
    assert not {f["technique"] for f in without["articles"][0]["findings"]} & {"distrust-call", "loaded-language"}
    never = client.post("/v1/scan", json={"text": text, "fail_on": "never"})
    assert never.headers["framecheck-check"] == "pass" and never.json()["summary"]["failed"] is False
    default = client.post("/v1/scan", json={"text": text})
    assert len(default.json()["articles"][0]["findings"]) > len(only["articles"][0]["findings"])
    calm = client.post("/v1/scan", json={"text": "The council met on Tuesday and approved the budget."})
    assert calm.headers["framecheck-check"] == "pass"


def assert_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["type"] == "about:blank"
    assert "Traceback" not in response.text
    for word in words:
        assert word in problem["detail"], problem
    return problem


def test_bad_requests_get_problem_details(client: TestClient) -> None:
    assert_problem(client.post("/v1/scan", json={"text": "x", "select": "distrust-cal"}), 422,
                   "unknown rule or technique 'distrust-cal'", "distrust-call")
    assert_problem(client.post("/v1/scan", content=b"{not json", headers={"content-type": "application/json"}),
                   422, "JSON")
    assert_problem(client.post("/v1/scan", json={"text": "x", "rules": "/etc/passwd"}), 422, "rules")
    assert_problem(client.post("/v1/scan", json={"text": "x", "fail_on": "sometimes"}), 422, "fail_on")
    assert_problem(client.post("/v1/scan", json={"text": "x", "output": "pdf"}), 422, "unknown format 'pdf'")
    assert_problem(client.post("/v1/scan", json={"text": "x", "language": "english!"}), 422, "language")
    assert_problem(client.post("/v1/scan", content=b"x", headers={"content-type": "image/png"}), 415, "image/png")
    assert_problem(client.post("/v1/scan", content=b"caf\xe9 \xff", headers=PLAIN), 400, "not valid utf-8")
    assert_problem(client.post("/v1/scan", content=b'{"text": "\\ud800"}',
                               headers={"content-type": "application/json"}), 422, "JSON")
    assert_problem(client.post("/v1/scan", content=b"x" * 1_000_001, headers=PLAIN), 413, "1000001")
    assert_problem(client.get("/v1/nothing"), 404)
    assert_problem(client.get("/v1/scan"), 405)
    after = client.post("/v1/scan", content=b"They terrorise the town.", headers=PLAIN)
    assert after.status_code == 200 and after.json()["articles"][0]["findings"]


def test_a_declared_charset_is_honoured(client: TestClient) -> None:
    text = "Не вірте фейкам! Вони тероризують місто."
    response = client.post("/v1/scan", content=text.encode("cp1251"),
                           headers={"content-type": "text/plain; charset=windows-1251"})
    assert response.status_code == 200
    assert response.json()["articles"][0]["language"] == "uk"


def test_the_catalogue(client: TestClient) -> None:
    rules = client.get("/v1/rules").json()["rules"]
    expected = json.loads(run("rules", "list", "--format", "json").stdout)["rules"]
    assert rules == expected
    with_why = next(rule for rule in rules if client.get(f"/v1/rules/{rule['id']}").json()["why"])
    detail = client.get(f"/v1/rules/{with_why['id']}").json()
    assert detail["message"] == with_why["message"] and detail["examples"]["match"]
    assert any(client.get(f"/v1/rules/{r['id']}").json()["suggest"] for r in rules)
    assert_problem(client.get("/v1/rules/loaded-verb-terrorize"), 404, "loaded-verb-terrorise")
    techniques = client.get("/v1/techniques").json()["techniques"]
    assert {"loaded-language", "distrust-call", "name-calling"} <= {t["id"] for t in techniques}
    assert client.get("/v1/version").json()["api"] == "v1"
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["generation"] >= 1 and ready["reload_error"] is None


def test_the_openapi_schema_and_docs_page_are_served_here(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/scan", "/v1/scan/batch", "/v1/rules", "/v1/rules/{rule_id}", "/v1/techniques"} <= set(schema["paths"])
    body = schema["paths"]["/v1/scan"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/plain", "text/markdown", "text/html"} <= set(body)
    assert "text" in schema["components"]["schemas"]["ScanDocument"]["properties"]
    docs = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in docs and "http" not in docs.replace("http-equiv", "")
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_pages_carry_a_content_security_policy(client: TestClient) -> None:
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and "//" not in page.text.replace("<!doctype html>", "").split("<body>")[0]
    api = client.get("/v1/version")
    assert "sandbox" in api.headers["content-security-policy"]
    assert api.headers["x-content-type-options"] == "nosniff"


def test_a_token_guards_the_api_but_not_health_or_the_page(serve_env: None) -> None:
    with client_for(Config(), token="s3cret-token") as guarded:
        problem = assert_problem(guarded.post("/v1/scan", json={"text": "x"}), 401)
        assert "Bearer" in problem["detail"]
        assert guarded.post("/v1/scan", json={"text": "x"}).headers["www-authenticate"].startswith("Bearer")
        assert_problem(guarded.get("/v1/rules", headers={"authorization": "Bearer wrong"}), 401)
        ok = guarded.post("/v1/scan", json={"text": "x"}, headers={"authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
        assert guarded.get("/healthz").status_code == 200 and guarded.get("/").status_code == 200


def batch_lines(records: list[object]) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


def test_a_batch_answers_line_by_line_in_order_then_sums_up(client: TestClient) -> None:
    seed = SEED.read_text(encoding="utf-8")
    records = [{"id": "seed", "text": seed}, {"id": 2, "text": "Calm council news."}, "not json",
               {"text": "<p>They terrorise the town.</p>", "format": "html"}, {"id": "no-text"}]
    records += [{"id": f"r{i}", "text": f"Record {i}: they terrorise us."} for i in range(20)]
    response = client.post("/v1/scan/batch", content=batch_lines(records),
                           headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert len(lines) == len(records) + 1
    assert [line.get("source", line.get("id")) for line in lines[:-1]] == \
        ["seed", "2", "3", "4", "5", *[f"r{i}" for i in range(20)]]
    assert lines[2]["error"]["status"] == 422 and lines[4]["error"]["status"] == 422
    single = client.post("/v1/scan", json={"text": seed, "name": "seed"}).json()["articles"][0]
    assert lines[0] == {"schema_version": 1, **single}
    summary = lines[-1]["summary"]
    articles = [line for line in lines[:-1] if "source" in line]
    assert summary["articles"] == len(articles) == 23
    assert summary["findings"] == sum(len(a["findings"]) for a in articles)
    assert len(summary["errors"]) == 2 and summary["failed"]


def test_a_batch_skips_a_record_over_the_limit_and_goes_on(client: TestClient) -> None:
    body = batch_lines([{"id": "big", "text": "x" * 1_100_000}, {"id": "after", "text": "They terrorise us."}])
    lines = [json.loads(line) for line in client.post(
        "/v1/scan/batch", content=body, headers={"content-type": "application/x-ndjson"}).text.splitlines()]
    assert "limit" in lines[0]["error"]["detail"] and lines[1]["source"] == "after"
