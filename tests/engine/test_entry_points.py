"""Third-party plugins installed as distributions are found through the `framecheck` entry-point
group, exactly as an installed wheel registers them (a .dist-info folder with entry_points.txt)."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
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


# --- looking for entry points without importing importlib.metadata ---------------------------


def test_the_entry_point_precheck_finds_a_declaring_distribution_and_only_that(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framecheck.engine.plugins import _may_declare_entry_points

    site = tmp_path / "site"
    install_distribution(site, PLUGIN, "framecheck_kremlin")
    other = tmp_path / "other"
    (other / "unrelated-1.0.dist-info").mkdir(parents=True)
    (other / "unrelated-1.0.dist-info" / "entry_points.txt").write_text("[console_scripts]\nx = y:z\n")
    (other / "plain-1.0.egg-info").write_text("Metadata-Version: 1.0\n")  # an egg-info file, no folder
    # Only the standard finder, as in a plain virtualenv (another finder of distributions means "maybe").
    standard = [finder for finder in sys.meta_path if not hasattr(finder, "find_distributions")]
    monkeypatch.setattr("sys.meta_path", [*standard, importlib.machinery.PathFinder])
    monkeypatch.setattr("sys.path", [str(other), str(tmp_path / "missing")])
    assert not _may_declare_entry_points("framecheck")
    assert _may_declare_entry_points("console_scripts")
    monkeypatch.setattr("sys.path", [str(other), str(site)])
    assert _may_declare_entry_points("framecheck")
    archive = tmp_path / "bundle.zip"  # a zip on the path: only importlib.metadata can tell
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    monkeypatch.setattr("sys.path", [str(other), str(archive)])
    assert _may_declare_entry_points("framecheck")


@pytest.mark.slow
def test_a_scan_without_installed_plugins_does_not_import_importlib_metadata(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from framecheck.cli import cli\n"
        f"try:\n    cli.main(['scan', {str(SEED)!r}], prog_name='framecheck')\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "print(code, 'importlib.metadata' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "FRAMECHECK_DISABLE_PLUGIN_AUTOLOAD"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.stderr.split()[-2:] == ["1", "False"], result.stderr
    site = tmp_path / "site"
    install_distribution(site, PLUGIN, "framecheck_kremlin")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=environment(site), timeout=120, check=False)
    assert result.stderr.split()[-2:] == ["1", "True"], result.stderr
