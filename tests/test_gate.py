"""The pre-publication gate as a newsroom sets it up: configuration, excludes, waivers, exit reasons."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import REPO, SEED, run

from framecheck.engine.builtin import CorePlugin

LOADED = "They terrorised the town.\n"
QUOTED = '"They terrorised the town," Mayor Jane Smith said.\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def json_of(result) -> dict:
    return json.loads(result.stdout)


def rule_ids(result) -> list[str]:
    return [f["rule_id"] for article in json_of(result)["articles"] for f in article["findings"]]


# --- 1. excludes for named files, per-file ignores ------------------------------------------------


def test_force_exclude_applies_config_excludes_to_files_named_on_the_command_line(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", 'exclude: ["drafts/**"]\n')
    draft = write(tmp_path / "drafts" / "a.md", LOADED)
    monkeypatch.chdir(tmp_path)
    assert run("scan", "drafts/a.md").exit_code == 1  # named: scanned, as before
    forced = run("scan", "--force-exclude", "drafts/a.md")
    assert forced.exit_code == 0 and forced.stdout == ""
    assert "nothing was scanned" in forced.stderr
    write(tmp_path / ".framecheck.yaml", 'exclude: ["drafts/**"]\nforce-exclude: true\n')
    assert run("scan", str(draft)).exit_code == 0
    assert run("scan", "--no-force-exclude", str(draft)).exit_code == 1


def test_per_file_ignores_turn_rules_off_for_matching_files_only(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", 'per-file-ignores:\n  "opinion/**": [loaded-language]\n')
    write(tmp_path / "opinion" / "column.md", LOADED + "\nDo not fall for fakes!\n")
    write(tmp_path / "news" / "story.md", LOADED)
    monkeypatch.chdir(tmp_path)
    result = run("scan", "--format", "json", ".")
    by_source = {a["source"]: [f["technique"] for f in a["findings"]] for a in json_of(result)["articles"]}
    assert by_source[os.path.join("news", "story.md")] == ["loaded-language"]
    assert "loaded-language" not in by_source[os.path.join("opinion", "column.md")]
    assert "distrust-call" in by_source[os.path.join("opinion", "column.md")]
    write(tmp_path / ".framecheck.yaml", 'per-file-ignores:\n  "opinion/**": [loaded-languag]\n')
    wrong = run("scan", ".")
    assert wrong.exit_code == 2
    assert wrong.stderr == ("framecheck: error: per-file-ignores: unknown rule or technique 'loaded-languag' "
                            "(did you mean 'loaded-language'?)\n")


# --- 2. unknown formats ------------------------------------------------------------------------


def test_an_unknown_output_format_is_an_error_with_a_suggestion(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("scan", "--output", "jsn=r.json", str(SEED))
    assert result.exit_code == 2
    assert result.stderr == "framecheck: error: --output jsn=r.json: unknown format 'jsn' (did you mean 'json'?)\n"
    assert not list(tmp_path.iterdir())
    assert run("scan", "--output", "./a=b.json", str(SEED)).exit_code == 1  # a path: the --format report
    assert (tmp_path / "a=b.json").read_text(encoding="utf-8").startswith(f"{SEED}:18:118:")


# --- 3. --max-score names the article everywhere --------------------------------------------------


def test_max_score_failures_name_the_article_in_every_format(tmp_path: Path) -> None:
    reason = "score 81/100 is above --max-score 10"
    args = ("--fail-on", "never", "--max-score", "10", str(SEED))
    text = run("scan", *args)
    assert text.exit_code == 1
    assert text.stderr == f"framecheck: check failed: {SEED}: {reason}\n"
    assert f"{SEED}: {reason}\n" in text.stdout
    document = json_of(run("scan", "--format", "json", *args))
    assert document["summary"]["failed"] is True
    assert document["summary"]["failures"] == [{"source": str(SEED), "kind": "score", "reason": reason}]
    lines = run("scan", "--format", "jsonl", *args).stdout.splitlines()
    assert json.loads(lines[-1])["summary"]["failures"][0]["reason"] == reason
    sarif = json_of(run("scan", "--format", "sarif", *args))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {"level": "error", "message": {"text": reason}} == {k: notes[-1][k] for k in ("level", "message")}
    uri = notes[-1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("examples/obozrevatel-iran-russia-2023.txt")
    github = run("scan", "--format", "github", *args).stdout.splitlines()
    assert github[-1].startswith("::error file=") and github[-1].endswith(f"title=framecheck max-score::{reason}")
    assert f"`{SEED}`: {reason}" in run("scan", "--format", "markdown", *args).stdout
    assert f"=== {SEED}: {reason} ===" in run("scan", "--format", "annotated", *args).stdout
    assert reason in run("scan", "--format", "html", *args).stdout
    assert run("scan", "--fail-on", "never", "--max-score", "99", str(SEED)).exit_code == 0


# --- 4. configuration round trip ----------------------------------------------------------------


def readme_config() -> str:
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = re.search(r"Configuration lives in.*?```yaml\n(.*?)```", page, re.S)
    assert block, "the configuration page shows an example configuration"
    return block.group(1)


def test_the_readme_example_configuration_loads_as_written(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", readme_config())
    write(tmp_path / "style" / "house.yaml", "id: house\nname: House\nrules: []\n")
    write(tmp_path / "style" / "our_detector.py", "")
    monkeypatch.chdir(tmp_path)
    result = run("config")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["exclude"] == ["drafts/**", "*.wire.md"]


def test_framecheck_config_prints_a_configuration_that_loads_back_the_same(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "site" / ".framecheck.yaml", readme_config())
    monkeypatch.chdir(tmp_path / "site")
    first = run("config")
    assert first.exit_code == 0, first.stderr
    write(tmp_path / "copy" / ".framecheck.yaml", first.stdout)
    second = run("config", "--config", str(tmp_path / "copy" / ".framecheck.yaml"))
    assert second.exit_code == 0, second.stderr
    assert yaml.safe_load(second.stdout) == yaml.safe_load(first.stdout)
    assert "path" not in yaml.safe_load(first.stdout)


# --- 5. writing a baseline the configuration names ---------------------------------------------


def test_write_baseline_creates_the_baseline_the_configuration_names(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", "baseline: baseline.json\n")
    write(tmp_path / "story.md", LOADED)
    monkeypatch.chdir(tmp_path)
    written = run("scan", "--write-baseline", "baseline.json", "story.md")
    assert written.exit_code == 0, written.stderr
    assert written.stderr == "framecheck: wrote 1 findings to the baseline baseline.json\n"
    assert run("scan", "story.md").exit_code == 0  # the finding is in the baseline now
    write(tmp_path / "story.md", LOADED + "\nDo not fall for fakes!\n")
    assert run("scan", "story.md").exit_code == 1


# --- 6. output paths in the configuration --------------------------------------------------------


def test_configured_outputs_are_written_beside_the_configuration(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "site" / ".framecheck.yaml", 'output: ["json=reports/r.json", "plain.txt"]\n')
    (tmp_path / "site" / "reports").mkdir()
    write(tmp_path / "site" / "story.md", LOADED)
    monkeypatch.chdir(tmp_path)
    result = run("scan", "site/story.md")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((tmp_path / "site" / "reports" / "r.json").read_text(encoding="utf-8"))["summary"]["findings"] == 1
    assert (tmp_path / "site" / "plain.txt").read_text(encoding="utf-8").startswith("site/story.md:1:6: warning")


# --- 7. malformed directives ---------------------------------------------------------------------


@pytest.mark.parametrize(("directive", "why"), [
    ('framecheck: ignore reason="court ruling"',
     "in plain text the rule ids go in brackets: framecheck: ignore[RULE-ID, ...]"),
    ("framecheck: ignore[loaded-language reason=x", "the rule ids' '[' is not closed on the same line"),
    ("framecheck: ignroe[loaded-language]", "unknown directive 'ignroe' (did you mean 'ignore'?)"),
])
def test_a_malformed_directive_gets_a_note_and_waives_nothing(tmp_path: Path, directive: str, why: str) -> None:
    story = write(tmp_path / "story.txt", f"{directive}\n{LOADED}")
    article = json_of(run("scan", "--format", "json", str(story)))["articles"][0]
    assert [f["rule_id"] for f in article["findings"]] == ["loaded-verb-terrorise"]
    assert article["findings"][0]["suppression"] is None
    assert len(article["warnings"]) == 1
    assert article["warnings"][0].startswith("framecheck directive at line 1 was ignored: ")
    assert why in article["warnings"][0]


def test_comment_directives_with_mistakes_get_notes(tmp_path: Path) -> None:
    story = write(tmp_path / "story.md", (
        "<!-- framecheck ignore loaded-language -->\n\n"
        "<!-- framecheck: ignore loaded-language reson=\"quoting\" -->\n"
        + LOADED
    ))
    warnings = json_of(run("scan", "--format", "json", str(story)))["articles"][0]["warnings"]
    assert warnings == [
        "framecheck directive at line 1 was ignored: write 'framecheck:' with a colon",
        "suppression at line 3 has an unknown argument 'reson' (did you mean 'reason'?)",
    ]


def test_directive_text_is_never_scanned_as_prose(tmp_path: Path) -> None:
    text = ("framecheck: ignore[loaded-verb-terrorise] reason=\"we terrorise nobody; terrorised is quoted\"\n"
            "They terrorised the town.\n\nThey terrorised the region.\n")
    story = write(tmp_path / "story.txt", text)
    article = json_of(run("scan", "--format", "json", str(story)))["articles"][0]
    assert [(f["line"], f["rule_id"], f["suppression"] is not None) for f in article["findings"]] == [
        (2, "loaded-verb-terrorise", True), (4, "loaded-verb-terrorise", False),
    ]


# --- 8 and 13. repetition: waived uses do not count; the 2nd of 3 is reported ----------------------


def test_repetition_reports_every_use_after_the_first_and_skips_waived_uses(tmp_path: Path) -> None:
    three = "The inquiry is a witch hunt.\n\nA witch hunt, nothing more.\n\nEnd the witch hunt now.\n"
    article = json_of(run("scan", "--format", "json", str(write(tmp_path / "a.txt", three))))["articles"][0]
    repeated = [f for f in article["findings"] if f["rule_id"] == "repeated-loaded-phrase"]
    assert [(f["line"], f["message"].split(":")[1].split(" uses")[0].strip()) for f in repeated] == [
        (3, "2nd of 3"), (5, "3rd of 3"),
    ]
    waived = three.replace("A witch hunt,", 'framecheck: ignore[label-process] reason="a title"\nA witch hunt,')
    article = json_of(run("scan", "--format", "json", str(write(tmp_path / "b.txt", waived))))["articles"][0]
    assert [(f["rule_id"], f["suppression"] is not None) for f in article["findings"]] == [
        ("label-process", False), ("label-process", True), ("label-process", False),
    ]
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "every\n  use after the first is reported" in page or "every use after the first is reported" in page


# --- 9. a technique's severity ----------------------------------------------------------------


def test_a_technique_severity_leaves_typography_and_aggregates_alone(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / ".framecheck.yaml", "severity: {loaded-language: error}\n")
    write(tmp_path / "story.txt", "The brutal crackdown terrorised the protesters!\n")
    monkeypatch.chdir(tmp_path)
    findings = json_of(run("scan", "--format", "json", "story.txt"))["articles"][0]["findings"]
    severities = {f["rule_id"]: f["severity"] for f in findings}
    assert severities["loaded-verb-terrorise"] == "error"
    assert severities["exclamation"] == "info"
    assert {f["rule_id"]: f["absorbed"] for f in findings}["exclamation"] == ["stacked-framing"]  # one sentence
    write(tmp_path / "calm.txt", "The brutal crackdown terrorised the protesters.\n")
    calm = json_of(run("scan", "--format", "json", "calm.txt"))["articles"][0]["findings"]
    assert {f["rule_id"]: f["severity"] for f in calm}["stacked-framing"] == "info"
    write(tmp_path / ".framecheck.yaml", "severity: {loaded-language: error, exclamation: warning}\n")
    findings = json_of(run("scan", "--format", "json", "story.txt"))["articles"][0]["findings"]
    assert {f["rule_id"]: f["severity"] for f in findings}["exclamation"] == "warning"


# --- 10. quotations of named speakers and site chrome --------------------------------------------


def test_a_named_speakers_quote_is_reported_marked_and_does_not_fail_the_check(tmp_path: Path) -> None:
    story = write(tmp_path / "story.txt", "Town news\n\n" + QUOTED)
    result = run("scan", str(story))
    assert result.exit_code == 0
    assert f'{story}:3:7: warning loaded-verb-terrorise frames an action as terror; describe what was done ' \
           '"terrorised" (quoted: Mayor Jane Smith)' in result.stdout
    assert result.stderr == ("framecheck: warning: 1 finding at or above --fail-on said by named speakers (quoted or "
                             "reported) or in site chrome did not count (--fail-scope all counts them)\n")
    assert run("scan", "--fail-scope", "all", str(story)).exit_code == 1
    github = run("scan", "--format", "github", str(story)).stdout
    assert "(loaded-language) (quoted: Mayor Jane Smith)" in github
    sarif = json_of(run("scan", "--format", "sarif", str(story)))["runs"][0]["results"][0]
    assert sarif["message"]["text"].endswith("(quoted: Mayor Jane Smith)")
    assert sarif["properties"]["quote"] == {"speaker": "Mayor Jane Smith"}
    assert "{loaded-language; quoted: Mayor Jane Smith}" in run("scan", "--format", "annotated", str(story)).stdout
    assert "(quoted: Mayor Jane Smith)" in run("scan", "--format", "markdown", str(story)).stdout


def test_site_chrome_is_reported_marked_and_does_not_fail_the_check(tmp_path: Path) -> None:
    story = write(tmp_path / "story.txt", "Town news\n\nThe council met on Monday.\n\nOther News\n\nRegime terrorised the north\n")
    result = run("scan", str(story))
    assert result.exit_code == 0
    assert '"terrorised" (site chrome)' in result.stdout
    assert run("scan", "--fail-scope", "all", str(story)).exit_code == 1


# --- 12. a Markdown title said twice --------------------------------------------------------


def test_a_front_matter_title_repeated_as_h1_is_one_headline(tmp_path: Path) -> None:
    story = write(tmp_path / "story.md", (
        "---\ntitle: A witch hunt in town\n---\n\n# A witch hunt in town\n\nThe council called it a witch hunt.\n"
    ))
    findings = json_of(run("scan", "--format", "json", str(story)))["articles"][0]["findings"]
    assert [(f["line"], f["part"], f["rule_id"]) for f in findings] == [
        (5, "headline", "label-process"), (7, "body", "label-process"),
    ]


# --- 14. rules check -------------------------------------------------------------------------


def test_rules_check_reports_every_error_in_every_pack_and_clashes(tmp_path: Path) -> None:
    write(tmp_path / "packs" / "a.yaml", """\
        id: house
        name: House
        rules:
          - id: bad-one
            technique: nonsense
            message: m
            patterns: [x]
          - id: loaded-verb-terrorise
            technique: doubt
            message: m
            patterns: [y]
          - id: fine-one
            technique: doubt
            message: m
            patterns: [z]
        """)
    write(tmp_path / "packs" / "b.yaml", "id: [\n")
    result = run("rules", "check", str(tmp_path / "packs"))
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert errors[0].endswith("a.yaml:5: rule 'bad-one': unknown technique 'nonsense' (see 'framecheck rules techniques')")
    assert "a.yaml:8: rule 'loaded-verb-terrorise': rule id clashes with the shipped rule at framecheck:rules/en/" in errors[1]
    assert "b.yaml:2: invalid YAML" in errors[2]
    assert result.stdout == "1 pack, 2 rules loaded; 3 errors\n"  # the clashing rule loads; a scan would refuse it
    alone = run("rules", "check", "--no-default-rules", str(tmp_path / "packs" / "a.yaml"))
    assert alone.exit_code == 2 and len(alone.stderr.splitlines()) == 1
    assert run("rules", "check", str(REPO / "rules")).exit_code == 0  # the shipped packs are not clashes


# --- 15. nothing to scan ------------------------------------------------------------------


def test_an_empty_folder_says_nothing_was_scanned(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("scan", str(tmp_path / "empty"))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == (f"framecheck: warning: nothing was scanned: no article files under {tmp_path / 'empty'} "
                             "(after include/exclude and .gitignore)\n")
    strict = run("scan", "--fail-on-empty", str(tmp_path / "empty"))
    assert strict.exit_code == 2 and strict.stderr.startswith("framecheck: error: nothing was scanned")


# --- 16. help --------------------------------------------------------------------------------


def test_scan_help_names_every_builtin_format() -> None:
    text = " ".join(run("scan", "--help").stdout.split())
    names = [formatter.name for formatter in CorePlugin().framecheck_formatters()]
    assert len(names) == 11
    for name in names:
        assert re.search(rf"\b{name}\b", text.split("--format NAME")[1].split("-o, --output")[0]), name


# --- 17. .gitignore ----------------------------------------------------------------------------


def test_walking_a_git_work_tree_skips_what_git_ignores(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "site"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    write(repo / ".gitignore", "build/\n*.tmp.md\n")
    for name in ("build/copy.md", "draft.tmp.md", "story.md", "sub/kept.md"):
        write(repo / name, LOADED)
    monkeypatch.chdir(repo)
    sources = [a["source"] for a in json_of(run("scan", "--format", "json", "."))["articles"]]
    assert sources == ["story.md", os.path.join("sub", "kept.md")]
    everything = [a["source"] for a in json_of(run("scan", "--no-respect-gitignore", "--format", "json", "."))["articles"]]
    assert len(everything) == 4
    assert [a["source"] for a in json_of(run("scan", "--format", "json", "draft.tmp.md"))["articles"]] == ["draft.tmp.md"]


# --- 18. the documented pre-commit revision ---------------------------------------------------


def test_documented_revisions_are_the_release_tag_of_this_version() -> None:
    from framecheck import __version__

    for path in (REPO / "README.md", REPO / "docs" / "github-action.md"):
        text = path.read_text(encoding="utf-8")
        revisions = re.findall(r"rev: (\S+)", text) + re.findall(r"framecheck/framecheck@([\w.-]+)", text)
        tags = {revision for revision in revisions if not re.fullmatch(r"[0-9a-f]{40}", revision)}  # or a commit
        assert revisions and tags == {f"v{__version__}"}, path


# --- 19. waivers that did not apply, in every format -------------------------------------------


def test_expired_and_unused_waivers_reach_text_sarif_and_github(tmp_path: Path) -> None:
    story = write(tmp_path / "story.md", (
        '<!-- framecheck: ignore loaded-language reason="x" until=2020-01-01 -->\n' + LOADED
        + '\n<!-- framecheck: ignore distrust-call reason="y" -->\nA calm line.\n'
    ))
    expired = "suppression at line 1 expired on 2020-01-01; its findings are reported again"
    unused = "unused suppression at line 4 (distrust-call): nothing to suppress"
    text = run("scan", str(story)).stdout
    assert f"{story}: note: {expired}\n" in text and f"{story}: note: {unused}\n" in text
    notes = json_of(run("scan", "--format", "sarif", str(story)))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["message"]["text"], n["locations"][0]["physicalLocation"]["region"]["startLine"]) for n in notes] == [
        (expired, 1), (unused, 4),
    ]
    github = run("scan", "--format", "github", str(story)).stdout.splitlines()
    assert github[0].endswith(f",line=1,title=framecheck note::{expired}")
    assert github[1].endswith(f",line=4,title=framecheck note::{unused}")


# --- also expected: quiet, exit-zero, statistics, did-you-mean, rules show, init, completion ------


def test_quiet_prints_the_findings_only() -> None:
    result = run("scan", "--quiet", "--format", "concise", str(SEED))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith(f"{SEED}:") and " findings" not in line for line in lines)


def test_exit_zero_reports_but_does_not_fail() -> None:
    result = run("scan", "--exit-zero", str(SEED))
    assert result.exit_code == 0 and "loaded-verb-terrorise" in result.stdout
    assert result.stderr == f"framecheck: check would fail ({SEED}: 4 findings at or above warning); --exit-zero\n"


def test_statistics_count_findings_per_rule() -> None:
    result = run("scan", "--statistics", str(SEED))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "     1  distrust-fakes-warning     error    distrust-call",
        "     1  distrust-only-our-channel  error    distrust-call",
        "     1  loaded-verb-terrorise      warning  loaded-language",
        "     1  unsourced-attribution      warning  unsourced-attribution",
        "     4  total",
    ]


def test_select_and_ignore_suggest_the_id_meant() -> None:
    result = run("scan", "--select", "loaded-langauge", str(SEED))
    assert result.exit_code == 2
    assert result.stderr == ("framecheck: error: --select: unknown rule or technique 'loaded-langauge' "
                             "(did you mean 'loaded-language'?)\n")


def test_rules_show_a_technique_lists_its_rules() -> None:
    result = run("rules", "show", "distrust-call")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("distrust-call  ")
    assert "  distrust-fakes-warning" in result.stdout and "  distrust-only-our-channel" in result.stdout
    assert run("rules", "show", "distrust-cal").stderr == (
        "framecheck: error: no rule or technique 'distrust-cal' (did you mean 'distrust-call'?)\n"
    )


def test_init_writes_a_starter_configuration_that_loads(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    created = run("init")
    assert created.exit_code == 0
    settings = yaml.safe_load(run("config").stdout)
    assert settings["force-exclude"] is True and settings["fail-scope"] == "own-voice"
    again = run("init")
    assert again.exit_code == 2
    assert again.stderr == "framecheck: error: .framecheck.yaml: already exists (--force to overwrite)\n"
    write(tmp_path / "story.md", LOADED)
    assert run("scan", ".").exit_code == 1


def test_shell_completion_works_as_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r'eval "\$\((_FRAMECHECK_COMPLETE=bash_source framecheck)\)"', readme)
    assert command, "the README documents shell completion"
    env = {**os.environ, "_FRAMECHECK_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "framecheck"], env=env, capture_output=True, text=True, timeout=60)
    assert "complete -o nosort -F" in script.stdout
    env = {**os.environ, "_FRAMECHECK_COMPLETE": "bash_complete", "COMP_WORDS": "framecheck sc", "COMP_CWORD": "1"}
    words = subprocess.run([sys.executable, "-m", "framecheck"], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,scan" in words.stdout.split()


# --- issue 26: the pre-commit hook reads what a scan reads --------------------------------------


def test_the_pre_commit_hook_names_every_article_extension_in_any_case() -> None:
    from framecheck.inputs.markup import ARTICLE_EXTENSIONS, hook_files_pattern

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["files"] == hook_files_pattern()
    pattern = re.compile(hook["files"])
    for extension in ARTICLE_EXTENSIONS:
        assert pattern.search(f"wire/story{extension}") and pattern.search(f"wire/STORY{extension.upper()}")
    for name in ("story.MD", "story.mkd", "story.mdown", "story.xhtml", "story.Markdown"):
        assert pattern.search(name), name
    for name in ("notes.rst", "data.json", "story.md.bak", "README"):
        assert not pattern.search(name), name
    assert "--quiet" in hook["entry"] and "--force-exclude" in hook["entry"]


# --- issue 26: what a new newsroom trips over --------------------------------------------------


def test_a_new_packs_test_article_does_not_trip_the_gate(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("rules", "new", "house-style").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["house-style.test.md", "house-style.yaml"]
    write(tmp_path / "story.md", "A calm council story.\n")
    folder = run("scan", "--format", "json", ".")
    assert folder.exit_code == 0, folder.stdout
    report = json_of(folder)
    assert [a["source"] for a in report["articles"]] == ["story.md"]
    assert report["summary"]["passed_over"] == {".yaml": 1, "pack test": 1}
    named = run("scan", "--format", "json", "house-style.test.md")
    assert json_of(named)["articles"][0]["source"] == "house-style.test.md"
    assert "house-style.test.md: a test article of the rule pack house-style.yaml" in named.stderr
    (tmp_path / "house-style.tests").mkdir()
    write(tmp_path / "house-style.tests" / "more.md", "Do not fall for fakes!\n")
    assert json_of(run("scan", "--format", "json", "."))["summary"]["passed_over"] == {".yaml": 1, "pack test": 2}


def test_stdin_filename_is_excluded_under_force_exclude(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".framecheck.yaml", 'exclude: ["drafts/**"]\nforce-exclude: true\n')
    excluded = run("scan", "--format", "json", "--stdin-filename", "drafts/x.md", "-", input=LOADED)
    assert excluded.exit_code == 0 and json_of(excluded)["summary"]["articles"] == 0
    kept = run("scan", "--format", "json", "--stdin-filename", "desk/x.md", "-", input=LOADED)
    assert kept.exit_code == 1 and json_of(kept)["articles"][0]["source"] == "desk/x.md"
    unforced = run("scan", "--format", "json", "--no-force-exclude", "--stdin-filename", "drafts/x.md", "-",
                   input=LOADED)
    assert unforced.exit_code == 1, "without force-exclude a named input is read"


def test_init_does_not_shadow_a_pyproject_table(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", '[project]\nname = "desk"\n\n[tool.framecheck]\nfail-on = "error"\n')
    refused = run("init", str(tmp_path))
    assert refused.exit_code == 2 and not (tmp_path / ".framecheck.yaml").exists()
    assert "already configures framecheck ([tool.framecheck]); a .framecheck.yaml here would be read instead" \
        in refused.stderr
    assert run("init", "--pyproject", str(tmp_path)).exit_code == 2, "the table is there already"
    forced = run("init", "--force", str(tmp_path))
    assert forced.exit_code == 0 and "is read instead of [tool.framecheck]" in forced.stdout
    fresh = tmp_path / "fresh"
    write(fresh / "pyproject.toml", '[project]\nname = "desk"\n')
    added = run("init", "--pyproject", str(fresh))
    assert added.exit_code == 0, added.stderr
    text = (fresh / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "desk"\n\n[tool.framecheck]') and not (fresh / ".framecheck.yaml").exists()
    config = run("config", str(fresh)).stdout
    assert config.startswith(f"# configuration file: {(fresh / 'pyproject.toml').resolve()}")
    assert pyproject.read_text(encoding="utf-8").endswith('fail-on = "error"\n')


def test_the_starter_yaml_and_pyproject_say_the_same() -> None:
    import tomllib

    from framecheck.cli.setup import STARTER_CONFIG, STARTER_PYPROJECT

    assert yaml.safe_load(STARTER_CONFIG) == tomllib.loads(STARTER_PYPROJECT)["tool"]["framecheck"]


def test_config_prints_every_scoring_factor_and_scan_shows_its_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".framecheck.yaml", "fail-on: error\nscoring: {scale: 20, severity: {error: 3}}\n")
    printed = yaml.safe_load(run("config").stdout)
    assert printed["scoring"] == {
        "severity": {"info": 0.5, "warning": 1.0, "error": 3}, "part": {"headline": 2.0, "lede": 1.5, "body": 1.0,
                                                                        "boilerplate": 0.0},
        "context": {"negated": 0.5, "conditional": 0.5, "reported-label": 0.25, "reported-speech": 0.25},
        "technique": {}, "quote-named": 0.25, "quote-unnamed": 0.6, "scale": 20.0, "prior-words": 400.0,
        "bands": {"elevated": 25.0, "high": 40.0},
    }
    shown = run("scan", "--show-settings", "--fail-on", "info", "--min-severity", "warning", "--exclude", "wire/**")
    assert shown.exit_code == 0
    settings = yaml.safe_load(shown.stdout)
    assert (settings["fail-on"], settings["min-severity"], settings["exclude"]) == ("info", "warning", ["wire/**"])
    assert yaml.safe_load(run("scan", "--show-settings").stdout)["fail-on"] == "error"
    write(tmp_path / "printed.yaml", run("config").stdout)
    assert run("config", "--config", "printed.yaml").exit_code == 0, "what config prints is a valid configuration"


def test_min_severity_hides_findings_below_it_but_not_from_the_check(tmp_path: Path) -> None:
    story = write(tmp_path / "story.md", "Do not fall for fakes!\n\n" + LOADED + "\nWhat a day it was!\n")
    every = json_of(run("scan", "--format", "json", str(story)))
    shown = run("scan", "--format", "json", "--min-severity", "error", "--fail-on", "warning", str(story))
    report = json_of(shown)
    assert shown.exit_code == 1, "the check still counts the warning it does not show"
    assert [f["severity"] for f in report["articles"][0]["findings"]] == ["error"]
    assert [f["severity"] for f in every["articles"][0]["findings"]] == ["error", "warning", "info"]
    assert report["summary"]["not_shown"] == 2
    assert report["articles"][0]["score"] == every["articles"][0]["score"]
    calm = write(tmp_path / "calm.md", "A calm council story.\n")
    text = run("scan", "--min-severity", "warning", str(story), str(calm)).stdout
    assert "2 articles scanned, 2 findings (1 warning, 1 error), 1 below --min-severity not shown" in text


def test_add_waivers_writes_a_todo_the_gate_holds_to(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    markdown = ("# Town\n\nThey terrorised the town. Do not fall for fakes!\n\n"
                "  Still: the brutal regime lied.\n\nCalm.\n")
    write(tmp_path / "a.md", markdown)
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbfTown\r\n\r\nThey terrorised the town.\r\n")
    (tmp_path / "c.txt").write_bytes("Caf\xe9 news.\n\nThey terrorised the town.\n".encode("cp1252"))
    added = run("scan", "--add-waivers", "-q", ".")
    assert added.exit_code == 1, "the run itself still fails: placeholders waive nothing"
    assert "framecheck: added 3 waivers to 2 files" in added.stderr
    assert "c.txt: not UTF-8; waivers were not added" in added.stderr
    assert (tmp_path / "c.txt").read_bytes() == "Caf\xe9 news.\n\nThey terrorised the town.\n".encode("cp1252")
    todo = 'reason="TODO: say why this stays"'
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == markdown.replace(
        "They terrorised",
        f"<!-- framecheck: ignore distrust-fakes-warning, exclamation, loaded-verb-terrorise {todo} -->\nThey terrorised",
    ).replace(
        "  Still", f"  <!-- framecheck: ignore loaded-adjective {todo} -->\n  Still")
    assert (tmp_path / "b.txt").read_bytes() == (
        b"\xef\xbb\xbfTown\r\n\r\nframecheck: ignore[loaded-verb-terrorise] " + todo.encode()
        + b"\r\nThey terrorised the town.\r\n"
    )
    pending = run("scan", "--format", "json", "a.md", "b.txt")
    assert pending.exit_code == 1
    notes = [n for a in json_of(pending)["articles"] for n in a["warnings"]]
    assert len([n for n in notes if "still has the placeholder reason" in n]) == 3
    again = run("scan", "--add-waivers", "-q", "a.md", "b.txt")
    assert "added 0 waivers to 0 files" in again.stderr, "a second run adds no second to-do"
    for name in ("a.md", "b.txt"):
        path = tmp_path / name
        path.write_bytes(path.read_bytes().replace(b"TODO: say why this stays", b"quoting the court"))
    done = run("scan", "--format", "json", "a.md", "b.txt")
    assert done.exit_code == 0 and json_of(done)["summary"]["suppressed"] == 4
