"""Newsroom and CI workflow: configuration, waivers, baselines, pack tests, git, pre-commit, action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import REPO, SEED, readme_pre_commit_config, run

LOADED = "They terrorised the town.\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- configuration ---------------------------------------------------------------------------


def test_yaml_config_is_found_by_walking_up_and_the_command_line_overrides_it(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", "fail-on: error\nselect: [loaded-language]\nformat: json\n")
    story = write(tmp_path / "desk" / "story.txt", LOADED + "Do not fall for fakes!\n")
    monkeypatch.chdir(tmp_path / "desk")
    result = run("scan", "story.txt")
    data = json.loads(result.stdout)  # format from the file
    assert [f["rule_id"] for f in data["articles"][0]["findings"]] == ["loaded-verb-terrorise", "exclamation"]
    assert result.exit_code == 0  # fail-on: error, and the loaded verb is a warning
    overridden = run("scan", "--fail-on", "warning", "--format", "text", "--select", "distrust-call", str(story))
    assert overridden.exit_code == 1
    assert "distrust-fakes-warning" in overridden.stdout and "terrorise" not in overridden.stdout


def test_pyproject_table_rules_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    write(tmp_path / "packs" / "house.yaml", """\
        id: house
        name: House
        rules:
          - id: house-regime
            technique: name-calling
            message: say government
            patterns: [regime]
        """)
    write(tmp_path / "pyproject.toml", """\
        [project]
        name = "newsroom"

        [tool.framecheck]
        rules = ["packs/house.yaml"]
        severity = { house-regime = "error", loaded-language = "info" }
        """)
    story = write(tmp_path / "articles" / "a.txt", "The regime terrorised the town.\n")
    result = run("scan", str(story))
    lines = result.stdout.splitlines()
    assert any(" error house-regime " in line for line in lines)
    assert any(" info loaded-verb-terrorise " in line for line in lines)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (".framecheck.yaml", "fail-on: error\nselcet: [x]\n", ".framecheck.yaml:2: unknown key 'selcet' in framecheck configuration (did you mean 'select'?)"),
        (".framecheck.yaml", "fail-on: sometimes\n", ".framecheck.yaml:1: 'fail-on' must be one of info, warning, error, never, not 'sometimes'"),
        (".framecheck.yaml", "severity: {loaded-language: fatal}\n", ".framecheck.yaml:1: severity of 'loaded-language': unknown severity 'fatal' (expected one of: info, warning, error)"),
        ("pyproject.toml", "[tool.framecheck]\nfail_on = 'error'\n", "pyproject.toml: unknown key 'fail_on' in [tool.framecheck] (did you mean 'fail-on'?)"),
    ],
)
def test_bad_configuration_names_file_and_key(tmp_path: Path, name: str, text: str, message: str) -> None:
    config = write(tmp_path / name, text)
    story = write(tmp_path / "a.txt", LOADED)
    result = run("scan", str(story))
    assert result.exit_code == 2
    assert result.stderr == f"framecheck: error: {config.parent}/{message}\n"


def test_config_command_prints_the_resolved_configuration(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", "fail-on: error\nexclude: ['drafts/**']\nrequire-reason: true\n")
    monkeypatch.chdir(tmp_path)
    result = run("config", "--select", "doubt")
    assert result.stdout.startswith(f"# configuration file: {tmp_path / '.framecheck.yaml'}\n")
    resolved = yaml.safe_load(result.stdout)
    assert resolved["fail-on"] == "error" and resolved["select"] == ["doubt"] and resolved["require-reason"] is True


def test_include_and_exclude_globs_filter_walked_files(tmp_path: Path) -> None:
    write(tmp_path / ".framecheck.yaml", "exclude: ['drafts/**', '*.skip.md']\n")
    write(tmp_path / "drafts" / "x.md", LOADED)
    write(tmp_path / "a.skip.md", LOADED)
    kept = write(tmp_path / "news" / "b.md", LOADED)
    result = run("scan", "--format", "json", str(tmp_path))
    assert [a["source"] for a in json.loads(result.stdout)["articles"]] == [str(kept)]
    explicit = run("scan", "--format", "json", str(tmp_path / "drafts" / "x.md"))
    assert len(json.loads(explicit.stdout)["articles"]) == 1  # a file named on the command line is scanned


# --- inline suppressions ------------------------------------------------------------------------

WAIVED = """\
# Verdict

<!-- framecheck: ignore loaded-verb-terrorise reason="quoting the court's verdict" by=jdoe until=2999-01-01 -->
The court found that the gang terrorised the town.

They terrorised the next town too.
"""


def test_a_suppression_waives_the_next_paragraph_only_and_is_counted(tmp_path: Path) -> None:
    story = write(tmp_path / "story.md", WAIVED)
    result = run("scan", str(story))
    assert [line.split(":")[1] for line in result.stdout.splitlines() if "loaded-verb" in line] == ["6"]
    assert result.stdout.splitlines()[-1].startswith(f"{story}: 1 finding (1 suppressed), score")
    data = json.loads(run("scan", "--format", "json", str(story)).stdout)
    waived = [f for f in data["articles"][0]["findings"] if f["suppression"]]
    assert waived[0]["suppression"] == {
        "line": 3, "scope": "paragraph", "rules": ["loaded-verb-terrorise"],
        "reason": "quoting the court's verdict", "by": "jdoe", "until": "2999-01-01",
    }
    assert data["summary"]["suppressed"] == 1 and data["summary"]["findings"] == 1


def test_suppressions_are_kept_in_sarif_as_in_source(tmp_path: Path) -> None:
    story = write(tmp_path / "story.md", WAIVED)
    sarif = json.loads(run("scan", "--format", "sarif", str(story)).stdout)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed[0]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "quoting the court's verdict"}
    ]


def test_a_required_reason_an_expiry_and_unused_waivers_are_reported(tmp_path: Path) -> None:
    story = write(tmp_path / "story.txt", """\
        framecheck: ignore[loaded-verb-terrorise]
        They terrorised the town.

        framecheck: ignore[loaded-language] reason="old ruling" until=2020-01-01
        They terrorised the city.

        framecheck: ignore[distrust-call] reason="nothing here"
        A quiet paragraph.
        """)
    plain = run("scan", str(story))
    assert plain.stdout.count("loaded-verb-terrorise") == 1  # the first waiver works, the expired one does not
    strict = run("scan", "--require-reason", str(story))
    notes = [line.split(": note: ")[1] for line in strict.stdout.splitlines() if ": note: " in line]
    assert notes == [
        'suppression at line 1 has no reason="..." (required by the configuration); it was ignored',
        "suppression at line 4 expired on 2020-01-01; its findings are reported again",
        "unused suppression at line 7 (distrust-call): nothing to suppress",
    ]
    assert strict.stdout.count("loaded-verb-terrorise") == 2 and strict.exit_code == 1


def test_ignore_file_waives_the_whole_article(tmp_path: Path) -> None:
    story = write(tmp_path / "satire.md", "<!-- framecheck: ignore-file reason=\"satire column\" -->\n\n" + LOADED + "\nDo not fall for fakes!\n")
    result = run("scan", str(story))
    assert result.exit_code == 0
    assert "2 suppressed" in result.stdout  # "Do not fall for fakes!" is one device (its exclamation absorbed)


# --- baselines ---------------------------------------------------------------------------------------


def test_a_baseline_survives_edits_that_shift_lines_and_catches_new_findings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    story = write(tmp_path / "story.txt", "Headline\n\n" + LOADED + "Do not fall for fakes!\n")
    written = run("scan", "--write-baseline", "baseline.json", "story.txt")
    assert written.exit_code == 0 and "wrote 2 findings to the baseline baseline.json" in written.stderr
    story.write_text("Headline\n\nA new first paragraph.\n\nAnd another.\n\n" + LOADED + "Do not fall for fakes!\n", encoding="utf-8")
    unchanged = run("scan", "--baseline", "baseline.json", "story.txt")
    assert unchanged.exit_code == 0
    assert unchanged.stdout.splitlines()[-1].startswith("story.txt: 0 findings (2 in baseline)")
    story.write_text(story.read_text(encoding="utf-8") + "Sources say they terrorised it again.\n", encoding="utf-8")
    grown = run("scan", "--baseline", "baseline.json", "story.txt")
    assert grown.exit_code == 1
    new = [line for line in grown.stdout.splitlines() if line.startswith("story.txt:9:")]
    assert {line.split()[2] for line in new} == {"unsourced-attribution", "loaded-verb-terrorise", "stacked-framing"}


def test_a_broken_baseline_is_a_one_line_error(tmp_path: Path) -> None:
    bad = write(tmp_path / "baseline.json", "{not json")
    result = run("scan", "--baseline", str(bad), str(SEED))
    assert result.exit_code == 2 and result.stderr.startswith(f"framecheck: error: {bad}: not a framecheck baseline")


# --- rule-pack tests -----------------------------------------------------------------------------------


def test_rules_new_scaffolds_a_pack_that_passes_rules_test(tmp_path: Path) -> None:
    created = run("rules", "new", "house-style", "--directory", str(tmp_path))
    assert created.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["house-style.test.md", "house-style.yaml"]
    result = run("rules", "test", str(tmp_path / "house-style.yaml"))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed"
    again = run("rules", "new", "house-style", "--directory", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_rules_test_catches_a_broken_example_and_a_wrong_annotation(tmp_path: Path) -> None:
    run("rules", "new", "desk", "--directory", str(tmp_path))
    pack = tmp_path / "desk.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace('"Crush the garlic before frying it."', '"They crushed the rebellion."'), encoding="utf-8")
    article = tmp_path / "desk.test.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nThe army slaughtered the herd.\n", encoding="utf-8")
    result = run("rules", "test", str(pack))
    assert result.exit_code == 1
    failures = [line.split() for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert [f[1:4] for f in failures] == [
        ["desk-loaded-verb", "example", "no_match"],
        ["desk-loaded-verb", f"{article}:10", "unexpected"],
    ]
    assert result.stdout.splitlines()[-1] == "3 passed, 2 failed"


def test_rules_check_validates_without_running(tmp_path: Path) -> None:
    run("rules", "new", "desk", "--directory", str(tmp_path))
    assert run("rules", "check", str(tmp_path)).stdout == "1 pack, 1 rule: OK\n"
    pack = tmp_path / "desk.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("technique: loaded-language", "technique: spin"), encoding="utf-8")
    result = run("rules", "check", str(pack))
    assert result.exit_code == 2 and "rule 'desk-loaded-verb': unknown technique 'spin'" in result.stderr


def test_shipped_packs_pass_their_own_rules_test() -> None:
    result = run("rules", "test", str(REPO / "rules"))
    assert result.exit_code == 0, result.stdout


# --- git ------------------------------------------------------------------------------------------------


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    repo = tmp_path / "newsroom"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    write(repo / "articles" / "old.md", LOADED)
    write(repo / "articles" / "kept.md", "A calm report.\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "first", cwd=repo)
    return repo


def test_changed_since_scans_only_what_git_reports_changed(newsroom: Path, monkeypatch) -> None:
    write(newsroom / "articles" / "kept.md", "A calm report. " + LOADED)
    write(newsroom / "articles" / "new.md", "Do not fall for fakes!\n")
    write(newsroom / "notes.py", "terrorise = 1\n")
    monkeypatch.chdir(newsroom)
    result = run("scan", "--format", "json", "--changed-since", "HEAD")
    sources = [a["source"] for a in json.loads(result.stdout)["articles"]]
    assert sources == [os.path.join("articles", "kept.md"), os.path.join("articles", "new.md")]
    unknown = run("scan", "--changed-since", "no-such-branch")
    assert unknown.exit_code == 2 and unknown.stderr == "framecheck: error: --changed-since: unknown revision 'no-such-branch'\n"


def test_changed_since_outside_a_repository_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run("scan", "--changed-since", "HEAD")
    assert result.exit_code == 2
    assert result.stderr == f"framecheck: error: --changed-since: {tmp_path.resolve()} is not inside a git repository\n"


# --- CI integrations ------------------------------------------------------------------------------------


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    sarif, jsonl = tmp_path / "r.sarif", tmp_path / "r.jsonl"
    result = run("scan", "--output", f"sarif={sarif}", "--output", f"jsonl={jsonl}", str(SEED))
    assert result.stdout.splitlines()[-1].startswith(f"{SEED}: 4 findings")
    assert len(json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]) == 4
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(lines[0]["findings"]) == 4 and lines[-1]["summary"]["articles"] == 1


def test_sarif_output_validates_against_the_official_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test dependency (pip install .[test])")
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    document = json.loads(run("scan", "--format", "sarif", str(SEED)).stdout)
    jsonschema.validate(document, schema)
    results = document["runs"][0]["results"]
    rule_ids = [rule["id"] for rule in document["runs"][0]["tool"]["driver"]["rules"]]
    assert [r["ruleId"] for r in results] == [rule_ids[r["ruleIndex"]] for r in results]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (18, 118, 127)
    again = json.loads(run("scan", "--format", "sarif", str(SEED)).stdout)
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [r["partialFingerprints"] for r in results]


def test_github_annotations(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    lines = run("scan", "--format", "github", "examples/obozrevatel-iran-russia-2023.txt").stdout.splitlines()
    assert lines[0] == (
        "::warning file=examples/obozrevatel-iran-russia-2023.txt,line=18,col=118,endLine=18,endColumn=127,"
        "title=framecheck loaded-verb-terrorise::frames an action as terror; describe what was done: "
        '"terrorise" (loaded-language)'
    )
    assert [line.split()[0] for line in lines] == ["::warning", "::warning", "::error", "::error"]
    assert lines[-1].endswith('"Do not fall for fakes!" (distrust-call) (also exclamation)')


def _action_step(tmp_path: Path, name: str, inputs: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict, str]:
    """Run the action's step ``name`` as the runner would: its script under bash, the inputs as
    its environment, framecheck from the "installed" environment (this interpreter); the
    completed process, the step outputs it wrote and its job summary."""
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    step = next(step for step in action["runs"]["steps"] if step.get("name") == name)
    home = tmp_path / "home"
    (home / "venv" / "bin").mkdir(parents=True, exist_ok=True)
    python = home / "venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, "FRAMECHECK_HOME": str(home), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           **{f"FRAMECHECK_{key.upper().replace('-', '_')}": value for key, value in inputs.items()}}
    completed = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path / "site", env=env, capture_output=True,
                               text=True, timeout=120)
    written = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return completed, written, summary.read_text(encoding="utf-8") if summary.exists() else ""


def test_the_action_honours_the_configuration_and_splits_inputs_without_a_shell(tmp_path: Path) -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite" and action["inputs"]["fail-on"]["default"] == ""
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in action["runs"]["steps"])
    site = tmp_path / "site"
    write(site / ".framecheck.yaml", "fail-on: error\n")
    write(site / "articles" / "a.md", LOADED)  # a warning: the configuration does not fail on it
    write(site / "articles" / "skip me.md", "Do not fall for fakes!\n")  # an error, excluded by a quoted path
    write(site / "articles" / "wire" / "w.md", "Do not fall for fakes!\n")  # an error, excluded by a glob
    write(site / "wire" / "w.md", "A calm line.\n")  # a shell would glob wire/*.md into this path
    completed, written, summary = _action_step(tmp_path, "Scan articles", {
        "paths": "articles", "args": '--exclude "articles/skip me.md" --exclude articles/wire/*.md',
        "fail-on": "", "sarif": "out.sarif",
    })
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("::warning file=articles/a.md,line=1,col=6,")
    assert "skip me" not in completed.stdout and "wire" not in completed.stdout
    assert written == {"exit-code": "0", "failed": "false", "articles": "1", "findings": "1", "errors": "0",
                       "worst-score": written["worst-score"], "sarif-file": "out.sarif"}
    assert float(written["worst-score"]) > 0
    assert summary.startswith("**framecheck check passed**") and "articles/a.md" in summary
    assert json.loads((site / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    failing, written, summary = _action_step(tmp_path, "Scan articles", {
        "paths": "articles\narticles/skip me.md", "fail-on": "warning", "sarif": "out.sarif",
    })
    assert failing.returncode == 1 and written["failed"] == "true" and written["articles"] == "3"
    assert "**framecheck check failed" in summary


def test_action_paths_are_lines_or_shell_words_never_globs() -> None:
    from framecheck.cli.github_action import split_paths

    assert split_paths("") == ["."]
    assert split_paths("articles wire/*.md") == ["articles", "wire/*.md"]
    assert split_paths('"news desk/a.md" b.md') == ["news desk/a.md", "b.md"]
    assert split_paths("news desk/a.md\n  b.md \n\n") == ["news desk/a.md", "b.md"]


@pytest.mark.slow
def test_pre_commit_runs_the_readme_configuration_for_real(tmp_path: Path) -> None:
    """The README's .pre-commit-config.yaml as written, but for the repository address: pre-commit
    clones this checkout, at the documented tag, and installs the hook from it."""
    from framecheck import __version__

    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert pre_commit, "pre-commit is a test dependency (pip install .[test])"
    config = readme_pre_commit_config()
    assert f"rev: v{__version__}" in config
    upstream = tmp_path / "framecheck"
    git("clone", "-q", "--no-local", str(REPO), str(upstream), cwd=tmp_path)
    if not git("tag", "--list", f"v{__version__}", cwd=upstream).strip():  # a clone of main without tags
        git("tag", f"v{__version__}", cwd=upstream)
    repo = tmp_path / "site"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    write(repo / ".pre-commit-config.yaml", config.replace("https://github.com/framecheck/framecheck", str(upstream)))
    write(repo / ".framecheck.yaml", 'exclude: ["drafts/**"]\n')
    write(repo / "clean.md", "The council approved the budget, its chair said.\n")
    write(repo / "quoted.md", '"They terrorised the town," Mayor Jane Smith said.\n')
    write(repo / "drafts" / "rough.md", LOADED)  # excluded, though pre-commit names it
    git("add", "-A", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    clean = subprocess.run([pre_commit, "run", "--all-files"], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    write(repo / "loaded.md", LOADED)
    git("add", "-A", cwd=repo)
    loaded = subprocess.run([pre_commit, "run", "--all-files"], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert loaded.returncode == 1
    assert "loaded.md:1:6: warning loaded-verb-terrorise" in loaded.stdout
    assert "framecheck: check failed: loaded.md: 1 finding at or above warning" in loaded.stdout
    assert "rough.md" not in loaded.stdout

@pytest.mark.slow
def test_the_documented_local_hook_runs_an_installed_framecheck(tmp_path: Path) -> None:
    """The CI guide's `repo: local` hook, for newsrooms that install framecheck themselves: it
    runs the framecheck on PATH, clones nothing, and reads what the shipped hook reads."""
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert pre_commit, "pre-commit is a test dependency (pip install .[test])"
    guide = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:\n  - repo: local\n.*?)```", guide, re.S)
    assert block, "the CI guide shows a local hook"
    shipped = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    local = yaml.safe_load(block.group(1))["repos"][0]["hooks"][0]
    assert (local["entry"], local["files"]) == (shipped["entry"], shipped["files"])
    repo = tmp_path / "site"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    write(repo / ".pre-commit-config.yaml", block.group(1))
    write(repo / "clean.MD", "The council approved the budget, its chair said.\n")
    write(repo / "loaded.mkd", LOADED)
    git("add", "-A", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([pre_commit, "run", "--all-files"], cwd=repo, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "loaded.mkd:1:6: warning loaded-verb-terrorise" in result.stdout
    assert "clean.MD" not in result.stdout.replace("framecheck", "")


# --- changed lines (issue 26) ---------------------------------------------------------------------------


def test_changed_lines_report_only_what_an_edit_touched(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "desk"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    old = "Town news\n\nThey terrorised the town.\n\nA calm line.\n\nThe brutal regime lied.\n\nThe end.\n"
    write(repo / "story.md", old)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "old story", cwd=repo)
    monkeypatch.chdir(repo)
    untouched = run("scan", "--format", "json", "--changed-lines", "HEAD")
    assert untouched.exit_code == 0 and json.loads(untouched.stdout)["summary"]["articles"] == 0
    write(repo / "story.md", old.replace("A calm line.", "Sources say they terrorised the port."))
    edited = run("scan", "--format", "json", "--max-score", "1", "--changed-lines", "HEAD")
    report = json.loads(edited.stdout)
    assert {f["line"] for f in report["articles"][0]["findings"]} == {5}, "only the edited line"
    assert report["summary"]["unchanged"] >= 2  # the old findings on lines 3 and 7
    assert [f["kind"] for f in report["summary"]["failures"]] == ["findings"], "an edit is not judged on its score"
    assert edited.exit_code == 1
    write(repo / "story.md", old.replace("A calm line.", "A calmer line."))
    calm_edit = run("scan", "--max-score", "1", "--changed-lines", "HEAD")
    assert calm_edit.exit_code == 0 and "on unchanged lines not shown" in calm_edit.stdout
    write(repo / "new.md", "They terrorised the town.\n\nDo not fall for fakes!\n")
    new = json.loads(run("scan", "--format", "json", "--max-score", "1", "--changed-lines", "HEAD").stdout)
    by_source = {a["source"]: a for a in new["articles"]}
    assert len(by_source["new.md"]["findings"]) == 2, "a new file is changed as a whole"
    assert {f["kind"] for f in new["summary"]["failures"] if f["source"] == "new.md"} == {"findings", "score"}
    unknown = run("scan", "--changed-lines", "no-such-ref")
    assert unknown.exit_code == 2 and "--changed-lines: unknown revision 'no-such-ref'" in unknown.stderr
    both = run("scan", "--changed-lines", "HEAD", "--changed-since", "HEAD")
    assert both.exit_code == 2


def test_hunk_ranges_read_the_new_side_of_a_zero_context_diff() -> None:
    from framecheck.inputs.changes import ChangedLines, hunk_ranges

    diff = "@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +21,0 @@\n-e\n-f\n"
    assert hunk_ranges(diff) == ((3, 3), (11, 12))
    lines = ChangedLines(hunk_ranges(diff))
    assert lines.touches(12, 14) and lines.touches(1, 3) and not lines.touches(4, 10)
    assert ChangedLines(whole=True).touches(100, 100)
