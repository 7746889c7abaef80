"""Third-party plugins installed as distributions are found through the `framecheck` entry-point
group, exactly as an installed wheel registers them (a .dist-info folder with entry_points.txt)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from helpers import SEED, run_subprocess

PLUGIN = '''
from framecheck import Examples, RuleInfo, Severity, hookimpl

RULE = RuleInfo("kremlin-mention", "flag-waving", Severity.INFO, "mentions the Kremlin",
                examples=Examples(("the Kremlin",), ("the Capitol",)))


class KremlinDetector:
    name = "kremlin"
    rules = (RULE,)

    def detect(self, document):
        start = document.text.find("Kremlin")
        while start != -1:
            yield document.finding(rule_id=RULE.id, technique=RULE.technique, severity=RULE.severity,
                                   message=RULE.message, start=start, end=start + 7, detector=self.name)
            start = document.text.find("Kremlin", start + 1)


@hookimpl
def framecheck_detectors():
    return [KremlinDetector()]
'''


def install_distribution(site: Path, module_source: str, entry_point: str) -> None:
    """Lay out a distribution the way pip installs a wheel: module + .dist-info metadata."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "framecheck_kremlin.py").write_text(module_source, encoding="utf-8")
    info = site / "framecheck_kremlin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: framecheck-kremlin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(textwrap.dedent(f"""\
        [framecheck]
        kremlin = {entry_point}
        """), encoding="utf-8")


def environment(site: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


@pytest.mark.slow
def test_an_installed_plugin_is_loaded_and_its_findings_appear(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_distribution(site, PLUGIN, "framecheck_kremlin")
    result = run_subprocess("scan", "--format", "json", str(SEED), env=environment(site))
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["articles"][0]["findings"]
    kremlin = [f for f in findings if f["rule_id"] == "kremlin-mention"]
    assert [(f["line"], f["excerpt"], f["detector"]) for f in kremlin] == [(28, "Kremlin", "kremlin")]

    listing = run_subprocess("rules", "list", env=environment(site)).stdout
    assert "kremlin-mention" in listing and "plugin:kremlin" in listing


@pytest.mark.slow
def test_autoload_can_be_disabled_for_reproducible_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_distribution(site, PLUGIN, "framecheck_kremlin")
    env = environment(site, FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD="1")
    result = run_subprocess("scan", "--format", "json", str(SEED), env=env)
    rule_ids = {f["rule_id"] for f in json.loads(result.stdout)["articles"][0]["findings"]}
    assert "kremlin-mention" not in rule_ids and rule_ids


@pytest.mark.slow
def test_a_broken_installed_plugin_is_named_in_a_one_line_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_distribution(site, "raise ImportError('needs numpy')\n", "framecheck_kremlin")
    result = run_subprocess("scan", str(SEED), env=environment(site))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "framecheck: error: entry point 'kremlin' (framecheck_kremlin, from framecheck-kremlin) "
        "failed to load: ImportError: needs numpy"
    )
