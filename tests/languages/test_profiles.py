"""Each language in one place: its folder's language.yaml, validated like a pack, merged into a
run's languages; adding a language is adding a folder (the docs' Polish example is built and
scanned here, with no code change)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import REPO, run

from framecheck.core.errors import PackError
from framecheck.languages.detect import detect
from framecheck.languages.profiles import Languages, bundled_languages, load_language, run_languages

DOC = (REPO / "docs" / "languages.md").read_text(encoding="utf-8")


def polish_folder(root: Path) -> tuple[Path, Path]:
    """The docs' example, as written: pl/language.yaml, pl/loaded-language.yaml and the article."""
    yaml_blocks = re.findall(r"```yaml\n(.*?)```", DOC, re.S)
    article = re.search(r"```text\n(.*?)```", DOC, re.S)
    assert len(yaml_blocks) >= 2 and article, "docs/languages.md shows a language.yaml, a pack and an article"
    folder = root / "pl"
    folder.mkdir()
    (folder / "language.yaml").write_text(yaml_blocks[0], encoding="utf-8")
    (folder / "loaded-language.yaml").write_text(yaml_blocks[1], encoding="utf-8")
    (root / "artykul.txt").write_text(article.group(1), encoding="utf-8")
    return folder, root / "artykul.txt"


def test_the_shipped_languages_each_have_a_folder_of_their_own() -> None:
    languages = bundled_languages()
    assert languages.codes == ("en", "ru", "uk") and languages.scripts == ("Latin", "Cyrillic")
    assert {p.path for p in languages.profiles} == {f"framecheck:rules/{c}/language.yaml" for c in ("en", "ru", "uk")}
    assert languages.get("uk").morphology == "pymorphy3_dicts_uk" and languages.get("en").morphology is None
    # lists merge over every language, each word once
    conditions = languages.words("negation", "conditions")
    assert {"if", "якщо", "если"} <= set(conditions) and len(conditions) == len(set(conditions))


def test_telling_languages_apart_is_unchanged_by_the_data() -> None:
    cases = {
        "The council met on Monday.": "en", "Ну що, дочекалися": "uk", "Привет, как дела": "ru",
        "Слава Україні! Это было сказано вчера, и это всё.": "ru", "12345 !!!": "und",
        "Check https://x.org/новини and @канал now": "en",
    }
    assert {text: detect(text) for text in cases} == cases


def test_an_added_latin_script_language_is_told_by_its_letters_then_its_words(tmp_path: Path) -> None:
    folder, _ = polish_folder(tmp_path)
    languages = run_languages([folder])
    assert languages.codes == ("en", "pl", "ru", "uk")
    assert detect("Władze nie terroryzują nikogo.", languages) == "pl"
    assert detect("To jest nasz problem, jak dla nas od dawna", languages) == "pl"  # no telling letter: words
    assert detect("The council met on Monday and it is the plan.", languages) == "en"
    assert detect("Привет, как дела", languages) == "ru"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("format: 1\nlanguage: xx\nspeach: {}\n", 3, "unknown key 'speach' in language file (did you mean 'speech'?)"),
    ("format: 2\nlanguage: xx\n", 1, "unsupported language file format 2"),
    ("format: 1\nname: X\n", 1, "missing required key 'language'"),
    ("format: 1\nlanguage: Polish\n", 2, "'language' must be a two- or three-letter code"),
    ("format: 1\nlanguage: xx\nscript: Klingon\n", 3, "unknown script 'Klingon'"),
    ("format: 1\nlanguage: xx\ndetection:\n  letter-weight: 0\n", 4, "'letter-weight' must be above 0"),
    ("format: 1\nlanguage: xx\nspeech:\n  verbs: [said,\n    quipped]\n  stems: [said]\n", 5,
     "speech verb 'quipped' contains none of the 'stems'"),
    ("format: 1\nlanguage: xx\nboilerplate:\n  headings:\n    - 'read (also'\n", 5, "invalid regex 'read (also'"),
    ("format: 1\nlanguage: xx\nintensity:\n  courtesy:\n    - 'dzięki'\n    - 'witam[y'\n", 6,
     "invalid regex 'witam[y'"),
    ("format: 1\nlanguage: xx\nnegation:\n  negations: [nie, '']\n", 4, "'negations' has an empty entry"),
    ("format: 1\nlanguage: xx\nnegation: [nie]\n", 3, "'negation' must be a mapping, not a list"),
])
def test_a_bad_language_file_is_one_error_with_file_and_line(tmp_path: Path, text: str, line: int,
                                                             message: str) -> None:
    path = tmp_path / "language.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_language(path)
    assert (caught.value.line, caught.value.path) == (line, str(path)) and message in str(caught.value)


def test_a_language_defined_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "language.yaml").write_text("format: 1\nlanguage: en\n", encoding="utf-8")
    with pytest.raises(PackError, match="language 'en' is defined twice"):
        run_languages([tmp_path])
    assert run_languages([REPO / "rules"]) is bundled_languages()  # the shipped folders are not read twice
    nothing = Languages(())
    assert nothing.words("speech", "verbs") == () and nothing.speech_verbs_in(" said Ana") is None
    assert detect("The council met.", nothing) == "und"  # no language of the run has letters to tell


def test_adding_a_language_is_adding_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fourth language of docs/languages.md, built from the page: detected, its pack run, its
    speech verbs, negations and site-chrome headings used, as the page says."""
    folder, article = polish_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    checked = run("rules", "check", "pl")
    assert checked.exit_code == 0 and checked.stdout.strip() == "1 pack, 1 rule, 1 language file: OK"
    tested = run("rules", "test", "pl")
    assert tested.exit_code == 0 and tested.stdout.splitlines()[-1] == "2 passed, 0 failed"
    result = run("scan", "--rules", "pl", "--format", "json", "artykul.txt")
    assert result.exit_code == 1, result.stderr
    (report,) = json.loads(result.stdout)["articles"]
    assert report["language"] == "pl"
    found = [(f["excerpt"], f["part"], f["quote"], f["context"]) for f in report["findings"]
             if f["rule_id"] == "pl-loaded-verb-terrorise"]
    assert found == [
        ("terroryzuje", "body", None, []),
        ("terroryzują", "body", None, ["negated"]),
        ("terroryzują", "body", {"speaker": "Jan Kowalski"}, []),
        ("terroryzuje", "boilerplate", None, []),
    ]
    assert {f["rule_id"] for f in report["findings"]} == {"pl-loaded-verb-terrorise", "repeated-loaded-phrase"}
    created = run("rules", "new", "house", "--language", "pl", "--rules", "pl", "--directory", "mine")
    assert created.exit_code == 0, created.stderr
    assert "Artykuł testowy dla house" in (tmp_path / "mine" / "house.test.md").read_text(encoding="utf-8")
    passed = run("rules", "test", "mine/house.yaml", "--rules", "pl")
    assert passed.exit_code == 0 and passed.stdout.splitlines()[-1] == "4 passed, 0 failed"
    unknown = run("rules", "new", "other", "--language", "pl", "--directory", "mine")
    assert unknown.exit_code == 2 and "no pack template for language 'pl'" in unknown.stderr


def test_a_language_folder_adds_its_own_courtesy_openings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exclamation that opens with the folder's etiquette ("Dziękujemy") is not reported; one
    that opens with anything else is, in the same article."""
    polish_folder(tmp_path)
    (tmp_path / "okrzyki.txt").write_text("Dziękujemy wszystkim za pomoc! Wojsko znowu terroryzuje miasto!\n",
                                          encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("scan", "--rules", "pl", "--format", "json", "okrzyki.txt")
    (report,) = json.loads(result.stdout)["articles"]
    assert report["language"] == "pl"
    assert [f["excerpt"] for f in report["findings"] if f["rule_id"] == "exclamation"] == [
        "Wojsko znowu terroryzuje miasto!"]


def test_a_language_folder_named_in_the_configuration_works_like_rules(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    polish_folder(tmp_path)
    (tmp_path / ".framecheck.yaml").write_text("rules: [pl]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("scan", "--format", "json", "artykul.txt")
    assert json.loads(result.stdout)["articles"][0]["language"] == "pl"
    listed = run("rules", "list", "--language", "pl", "--format", "json")
    assert "pl-loaded-verb-terrorise" in {rule["id"] for rule in json.loads(listed.stdout)["rules"]}
