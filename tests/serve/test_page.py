"""The web page in a real headless Chromium (Debian's, driven by Playwright: no browser
download): paste the seed article, see one highlight per finding, open one, download the JSON
and compare it with ``scan --format json``; keyboard, phone width and Ukrainian text too."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SEED, run
from playwright.sync_api import Browser, Page, sync_playwright
from serve_helpers import Server

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("the page tests need Debian's chromium (apt-get install chromium; .ci/run installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("request", lambda request: problems.append(f"left the server: {request.url}")
              if not request.url.startswith((server.url, "blob:", "data:")) else None)
    opened.goto(server.url + "/")
    opened.wait_for_selector("body[data-ready=true]")
    yield opened
    context.close()
    assert problems == [], "no script errors, no CSP violations, nothing fetched from elsewhere"


def scan_in(page: Page, text: str) -> None:
    page.fill("#article", text)
    page.click("#scan")
    page.locator("#status", has_text="Scanned:").wait_for()  # a locator: the page's CSP allows no eval


def highlighted(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("#text mark[data-finding]", "marks => marks.map(m => m.dataset.finding)"))


def without_source(report: dict) -> dict:
    for article in report["articles"]:
        article["source"] = "-"
    for failure in report["summary"]["failures"]:
        failure["source"] = "-"
    return report


def test_paste_the_seed_see_every_finding_open_one_download_the_json(page: Page, tmp_path: Path) -> None:
    expected = json.loads(run("scan", str(SEED), "--format", "json").stdout)
    findings = expected["articles"][0]["findings"]
    scan_in(page, SEED.read_text(encoding="utf-8"))
    assert highlighted(page) == {str(index) for index in range(len(findings))}
    assert page.locator("#findings tbody tr").count() == len(findings)
    assert float(page.text_content("#score")) == expected["articles"][0]["score"]["value"]
    assert page.locator("#breakdown tbody tr").count() == len(expected["articles"][0]["score"]["by_technique"])
    assert "fails" in page.text_content("#verdict")

    pieces = page.eval_on_selector_all("#text mark[data-finding='0']", "marks => marks.map(m => m.textContent)")
    assert "".join(pieces) == findings[0]["excerpt"]  # the highlight covers exactly its span
    first = page.locator("#text mark[data-finding='0'][tabindex='0']")
    first.click()
    page.wait_for_selector("#detail h3")
    assert page.text_content("#detail h3") == findings[0]["rule_id"]
    assert findings[0]["message"] in page.text_content("#detail")
    for replacement in findings[0]["replace"]:  # the seed's first finding is a loaded verb with replacements
        assert f"“{replacement}”" in page.text_content("#detail")
    assert findings[0]["replace"]
    merged = next(index for index, f in enumerate(findings) if f["absorbed"])  # "Do not fall for fakes!"
    page.locator(f"#text mark[data-finding='{merged}'][tabindex='0']").click()
    from playwright.sync_api import expect  # the page's CSP forbids the string scripts wait_for_function runs

    expect(page.locator("#detail h3")).to_have_text(findings[merged]["rule_id"])
    assert "Also flagged by: exclamation" in page.text_content("#detail")

    with page.expect_download() as download_info:
        page.click("[data-download=json]")
    downloaded = tmp_path / "report.json"
    download_info.value.save_as(downloaded)
    assert without_source(json.loads(downloaded.read_text(encoding="utf-8"))) == without_source(expected)

    with page.expect_download() as sarif_info:
        page.click("[data-download=sarif]")
    sarif_info.value.save_as(tmp_path / "report.sarif")
    sarif = json.loads((tmp_path / "report.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == len(findings)

    with page.expect_download() as html_info:
        page.click("[data-download=html]")
    html_info.value.save_as(tmp_path / "report.html")
    cli_html = run("scan", str(SEED), "--format", "html").stdout
    marks = (tmp_path / "report.html").read_text(encoding="utf-8").count('<mark class="fc ')
    assert marks == cli_html.count('<mark class="fc ') >= len(findings) - 1  # overlapping findings share a mark


def test_the_keyboard_reaches_every_highlight_and_opens_it(page: Page) -> None:
    scan_in(page, SEED.read_text(encoding="utf-8"))
    stops = page.locator("#text mark[tabindex='0']")
    assert stops.count() == len(highlighted(page))
    stops.nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail h3")
    rule = page.text_content("#detail h3")
    assert rule and stops.nth(1).get_attribute("aria-label").endswith(f"({rule})")
    assert page.get_attribute("#article", "id") == page.get_attribute("label[for=article]", "for")


def test_toggles_hide_quoted_findings_and_phone_width_has_no_sideways_scroll(page: Page) -> None:
    text = ('The minister said: "These traitors terrorise our people." '
            "Critics say the new law will terrorise small towns.")
    scan_in(page, text)
    quoted = page.locator("#text mark.quoted")
    assert quoted.count() >= 1 and page.locator("#text mark:not(.quoted)").count() >= 1
    page.uncheck("#show-quotes")
    assert "hide-quotes" in page.get_attribute("body", "class")
    assert page.locator("#findings tr.quoted").first.is_hidden()
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_ukrainian_text_is_highlighted_the_same_way(page: Page) -> None:
    text = "Не вірте фейкам ворожих ЗМІ! Окупанти тероризують мирне населення."
    scan_in(page, text)
    assert highlighted(page)
    assert "uk" in page.text_content("#band")
    marked = page.eval_on_selector_all("#text mark[tabindex='0']", "marks => marks.map(m => m.textContent)")
    assert all(fragment in text for fragment in marked)


def test_the_api_docs_render_from_this_server_alone(page: Page, server: Server) -> None:
    page.goto(server.url + "/docs")
    page.locator(".opblock").first.wait_for()
    paths = page.eval_on_selector_all(".opblock-summary-path", "nodes => nodes.map(n => n.textContent)")
    assert {"/v1/scan", "/v1/scan/batch", "/v1/rules"} <= {p.replace("\u200b", "") for p in paths}
