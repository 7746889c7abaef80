"""Ukrainian and Russian: language routing, lemma phrases, extents, quotes and speech verbs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import labelled_set, make_engine, run

from framecheck.core.errors import PackError
from framecheck.inputs.readers import text_document
from framecheck.inputs.structure import extent_around, plain_structure
from framecheck.languages.detect import detect, document_language
from framecheck.packs.lemmas import Lexicons
from framecheck.packs.loading import load_pack


def lemma_pack(path: Path, patterns: str, *, language: str = "uk", extra: str = "", pack_extra: str = "") -> Path:
    path.write_text(
        f"id: {path.stem}\nname: {path.stem}\nlanguage: {language}\nmatch: lemma\n{pack_extra}rules:\n"
        f"  - id: {path.stem}-rule\n    technique: name-calling\n    message: 'label \"{{match}}\"'\n"
        f"    patterns: {patterns}\n{extra}",
        encoding="utf-8",
    )
    return path


def spans(engine, text: str, rule_id: str, language: str | None = None) -> list[str]:
    document = text_document("<t>", text)
    if language:
        document.language = language
    return [text[f.start:f.end] for f in engine.scan(document).findings if f.rule_id == rule_id]


@pytest.mark.parametrize(("text", "expected"), [
    ("Рашисти знову обстріляли Херсон, є поранені.", "uk"),
    ("Российские войска снова обстреляли Херсон, есть раненые.", "ru"),
    ("Russian forces shelled Kherson again.", "en"),
    ("Ну що, дочекалися", "uk"),  # no і/ї/є: common words decide
    ("Ну что, дождались", "ru"),
    ("Видео https://example.com/watch #news @channel: Россия вернулась", "ru"),  # addresses are not prose
    ("12345 !!! ---", "und"),
])
def test_language_is_told_by_letters_and_common_words(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_a_forced_or_recorded_language_wins_over_the_letters() -> None:
    ukrainian = "Рашисти обстріляли місто і лікарню."
    assert document_language(ukrainian, {}, None) == "uk"
    assert document_language(ukrainian, {}, "ru") == "ru"
    assert document_language(ukrainian, {"lang": "ru-RU"}, None) == "ru"
    assert document_language(ukrainian, {"language": "ru_RU"}, None) == "ru"
    assert document_language(ukrainian, {"language": 7, "lang": "any"}, None) == "uk"  # neither is a language


def test_lemma_phrases_match_every_inflected_form(tmp_path: Path) -> None:
    pack = lemma_pack(tmp_path / "labels.yaml", "[рашист, не вестися на фейк, будь-який]")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    text = "Рашистів відкинули. Рашистам не вийти. Не ведіться на фейки! Будь-яка спроба. Не ведіться, на фейки."
    assert spans(engine, text, "labels-rule") == ["Рашистів", "Рашистам", "Не ведіться на фейки", "Будь-яка"]
    # a word of the phrase with another word in between, or another punctuation, is no match
    assert spans(engine, "Не ведіться ні на які фейки. Будь який.", "labels-rule") == []


def test_lemma_forms_fold_case_apostrophes_and_yo(tmp_path: Path) -> None:
    lexicons = Lexicons()
    assert {"рашистів", "рашистами", "рашисти"} <= lexicons.forms("uk", "Рашист")
    assert "об'єкта" in lexicons.forms("uk", "об’єкт")
    assert "елка" in lexicons.forms("ru", "ёлка")
    pack = lemma_pack(tmp_path / "ru.yaml", "[ёлка, об'єкт]", language="ru")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    assert spans(engine, "Ёлки и елки.", "ru-rule") == ["Ёлки", "елки"]


def test_rules_run_only_on_documents_in_their_language(tmp_path: Path) -> None:
    pack = lemma_pack(tmp_path / "uk.yaml", "[рашист]")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    text = "Рашисти обстріляли місто. Russians."
    assert spans(engine, text, "uk-rule") == ["Рашисти"]
    assert spans(engine, text, "uk-rule", language="en") == []
    shipped = make_engine()
    english = "The terrorists terrorised the town."
    assert spans(shipped, english, "loaded-verb-terrorise", language="uk") == []
    assert spans(shipped, english, "loaded-verb-terrorise") != []


def test_extent_widens_a_finding_to_its_clause_or_sentence(tmp_path: Path) -> None:
    text = "Заголовок без крапки\nНе ведіться на фейки, бо рашисти брешуть! Друге речення."
    start = text.index("рашисти")
    assert text[slice(*extent_around(text, start, start + 7, "clause"))] == "бо рашисти брешуть!"
    assert text[slice(*extent_around(text, start, start + 7, "sentence"))] == "Не ведіться на фейки, бо рашисти брешуть!"
    assert extent_around(text, start, start + 7, "match") == (start, start + 7)
    pack = lemma_pack(tmp_path / "wide.yaml", "[рашист]", extra="    extent: sentence\n")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    (finding,) = [f for f in engine.scan(text_document("<t>", text)).findings if f.rule_id == "wide-rule"]
    assert text[finding.start:finding.end] == "Не ведіться на фейки, бо рашисти брешуть!"
    assert finding.message == 'label "рашисти"'  # the message names the words that matched


@pytest.mark.parametrize(("language", "extra", "message"), [
    ("en", "", "'match: lemma' needs a dictionary for the pack's language 'en'"),
    ("uk", "    case: sensitive\n", "'match: lemma' compares words case-insensitively"),
    ("uk", "    extent: paragraph\n", "'extent' must be one of match, clause, sentence, not 'paragraph'"),
    ("ukrainian!", "", "'language' must be a language code"),
])
def test_pack_errors_name_file_line_and_reason(tmp_path: Path, language: str, extra: str, message: str) -> None:
    pack = lemma_pack(tmp_path / "bad.yaml", "[рашист]", language=language, extra=extra)
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    assert message in str(caught.value) and str(pack) in str(caught.value)
    result = run("rules", "check", str(pack), "--no-default-rules")
    assert result.exit_code == 2 and message in result.stdout + result.stderr


def test_lemma_exceptions_cancel_a_match(tmp_path: Path) -> None:
    pack = lemma_pack(tmp_path / "exc.yaml", "[горе]", extra="    exceptions: [велике горе]\n")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    assert spans(engine, "Горе-вояки втекли. У них велике горе.", "exc-rule", language="uk") == ["Горе"]


def test_quotes_and_speakers_in_ukrainian_and_russian() -> None:
    cases = {
        "«Ми відкинули ворога», — заявив Олександр Сирський.": "Олександр Сирський",
        "Як заявив Олександр Сирський: «Ми відкинули ворога».": "Олександр Сирський",
        "«Это провокация», — сказал Дмитрий Песков.": "Дмитрий Песков",
        "Він каже „все буде добре“, — написала Ольга Петренко.": "Ольга Петренко",
        "“We won,” said Mayor Jane Smith.": "Mayor Jane Smith",
        "“We won,” said Jane Smith Jr.": "Jane Smith Jr.",
    }
    for text, speaker in cases.items():
        (quote,) = [r for r in plain_structure(text, headline=False) if r.kind == "quote"]
        assert quote.label == speaker, text


def test_a_quoted_label_is_marked_with_its_speaker() -> None:
    text = "«Рашисти обстріляли Херсон», — заявив Олександр Прокудін.\n"
    findings = [f for f in make_engine().scan(text_document("<t>", text)).findings
                if f.rule_id == "uk-dehumanising-label"]
    assert findings and findings[0].quote and "Прокудін" in findings[0].quote


def test_a_mixed_language_corpus_gets_each_record_its_own_packs(tmp_path: Path) -> None:
    corpus = tmp_path / "posts.jsonl"
    records = [
        {"id": "en", "text": "Do not fall for fakes! The regime terrorised the town."},
        {"id": "uk", "text": "Не ведіться на фейки! Рашисти знову обстріляли Харків."},
        {"id": "ru", "text": "Не ведитесь на фейки! Укронацисты снова обстреляли Донецк."},
        {"id": "ru-named", "lang": "ru", "text": "Рашисты обстріляли місто."},  # Ukrainian letters, Russian word
    ]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = run("scan", "--format", "json", str(corpus))
    assert result.exit_code == 1, result.stderr
    articles = {a["source"].rsplit("#", 1)[1]: a for a in json.loads(result.stdout)["articles"]}
    rules = {name: {f["rule_id"] for f in article["findings"]} for name, article in articles.items()}
    assert {"distrust-fakes-warning", "loaded-verb-terrorise"} <= rules["en"] and not any(r.startswith(("uk-", "ru-"))
                                                                                  for r in rules["en"])
    assert {"uk-distrust-fakes-warning", "uk-dehumanising-label"} <= rules["uk"]
    assert {"ru-distrust-fakes-warning", "ru-dehumanising-label"} <= rules["ru"]
    assert "ru-dehumanising-label" in rules["ru-named"]  # the record's own "lang" field decides
    assert {a["language"] for a in articles.values()} == {"en", "uk", "ru"}
    forced = run("scan", "--format", "json", "--language", "en", str(corpus))
    forced_rules = {f["rule_id"] for a in json.loads(forced.stdout)["articles"] for f in a["findings"]}
    assert not any(rule.startswith(("uk-", "ru-")) for rule in forced_rules)


def test_language_option_and_setting_are_checked() -> None:
    result = run("scan", "--language", "klingon!", "-")
    assert result.exit_code == 2 and "is not a language code" in result.stderr
    assert run("scan", "--language", "auto", "-", input="Рашисти обстріляли місто.").exit_code == 1
    assert run("scan", "--language", "ru", "-", input="Рашисти обстріляли місто.").exit_code == 0


def test_eval_reports_each_language(tmp_path: Path) -> None:
    articles, labels = labelled_set(tmp_path, {"2": "Рашисти знову обстріляли Харків. Погода гарна.",
                                               "4": "Укронацисты снова обстреляли Донецк. Погода хорошая."},
                                    "2\t?\t0\t32\n4\t?\t0\t36\n")
    posts = tmp_path / "posts.csv"
    posts.write_text("id,label,lang\n2,1,uk\n4,1,ru\n", encoding="utf-8")
    result = run("eval", "--articles", str(articles), "--labels", str(labels), "--article-labels", str(posts),
                 "--json", str(tmp_path / "e.json"))
    assert result.exit_code == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.split()[:1] in (["uk"], ["ru"])}
    assert rows["uk"][1:4] == ["1.000", "1.000", "1.000"] and rows["ru"][1:4] == ["1.000", "1.000", "1.000"]
    saved = json.loads((tmp_path / "e.json").read_text())
    assert {language: scores["f1"] for language, scores in saved["by_language"].items()} == {"uk": 1.0, "ru": 1.0}


def test_language_in_the_configuration_and_in_rules_list(tmp_path: Path) -> None:
    from framecheck.app.config import load_config

    config = tmp_path / ".framecheck.yaml"
    config.write_text("language: uk-UA\n", encoding="utf-8")
    assert load_config(config).language == "uk"
    config.write_text("language: auto\n", encoding="utf-8")
    assert load_config(config).language is None
    config.write_text("fail-on: warning\nlanguage: any\n", encoding="utf-8")
    result = run("config", "--config", str(config))
    assert result.exit_code == 2 and f"{config}:2: 'language':" in result.stderr
    listed = json.loads(run("rules", "list", "--language", "ru", "--format", "json").stdout)["rules"]
    languages = {rule["language"] for rule in listed}
    assert "ru" in languages and not languages & {"uk", "en"}
    assert any(rule["id"] == "exclamation" for rule in listed)  # plugin rules run on every language


def test_a_huge_text_is_walked_in_chunks_with_the_same_matches(tmp_path: Path, monkeypatch) -> None:
    from framecheck.packs import lemmas

    pack = lemma_pack(tmp_path / "huge.yaml", "[рашист, не вестися на фейк]")
    rule = load_pack(pack).rules[0]
    index = lemmas.LemmaIndex([rule.lemma_patterns], Lexicons())
    text = "Не ведіться на фейки, рашисти брешуть. " * 3000  # 117,000 characters
    whole = index.spans(text)[0]
    monkeypatch.setattr(lemmas, "LARGE_TEXT", 10_000)
    monkeypatch.setattr(lemmas, "FOLD_CHUNK", 7_001)  # seams move to white space, often inside a phrase
    monkeypatch.setattr(lemmas, "FOLD_OVERLAP", 64)
    assert index.spans(text)[0] == whole and len(whole) == 6000
    glued = "рашистів" * 20_000  # one 160,000-letter "word": no chunk may start inside it
    assert index.spans(glued) == {}


def test_html_lang_and_front_matter_choose_the_packs(tmp_path: Path) -> None:
    text = "Рашисты обстріляли місто і лікарню. Не ведитесь на фейки!"  # Ukrainian letters, Russian words
    (tmp_path / "page.html").write_text(f'<html lang="ru-RU"><body><p>{text}</p></body></html>', encoding="utf-8")
    (tmp_path / "locale.html").write_text(
        f'<html><head><meta property="og:locale" content="ru_RU"></head><body><p>{text}</p></body></html>',
        encoding="utf-8")
    (tmp_path / "post.md").write_text(f"---\nlang: ru\n---\n\n{text}\n", encoding="utf-8")
    (tmp_path / "plain.txt").write_text(text + "\n", encoding="utf-8")
    report = json.loads(run("scan", "--format", "json", str(tmp_path)).stdout)
    languages = {Path(a["source"]).name: a["language"] for a in report["articles"]}
    assert languages == {"page.html": "ru", "locale.html": "ru", "post.md": "ru", "plain.txt": "uk"}
    found = {Path(a["source"]).name: {f["rule_id"] for f in a["findings"]} for a in report["articles"]}
    assert "ru-distrust-fakes-warning" in found["page.html"] and "ru-distrust-fakes-warning" in found["post.md"]


def test_a_ukrainian_or_russian_negation_marks_a_word_level_finding(tmp_path: Path) -> None:
    pack = lemma_pack(tmp_path / "words.yaml", "[рашист]")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    for text, context in (("Він не рашист, а звичайний дурень.", ("negated",)),
                          ("Він рашист і цього не приховує.", ()),
                          ("Якщо він рашист, хай іде.", ("conditional",))):
        document = text_document("<t>", text)
        document.language = "uk"
        (finding,) = [f for f in engine.scan(document).findings if f.rule_id == "words-rule"]
        assert finding.context == context, text


def test_worker_processes_give_the_same_report_for_mixed_languages(tmp_path: Path) -> None:
    texts = ["Рашисти знову обстріляли Харків. Не ведіться на фейки!",
             "Укронацисты снова обстреляли Донецк. Кто ответит за это?",
             "The regime terrorised the town. Do not fall for fakes!"]
    for number in range(9):
        (tmp_path / f"post{number}.txt").write_text(texts[number % 3] + "\n", encoding="utf-8")
    one = run("scan", "--format", "json", "--jobs", "1", str(tmp_path))
    two = run("scan", "--format", "json", "--jobs", "2", str(tmp_path))
    assert one.exit_code == two.exit_code == 1 and one.stdout == two.stdout
    assert [a["language"] for a in json.loads(one.stdout)["articles"]] == ["uk", "ru", "en"] * 3


def test_ukrainian_and_russian_site_chrome_is_not_scored() -> None:
    text = ("Рашисти знову обстріляли Харків.\n\nПідписуйтесь на наш канал!\n\n"
            "Читайте також\n\nУкронацисты снова обстреляли Донецк!\n")
    document = text_document("<t>", text)
    report = make_engine().scan(document)
    chrome = [r for r in document.regions if r.kind == "boilerplate"]
    assert [text[r.start:r.end].split("\n")[0] for r in chrome] == ["Підписуйтесь на наш канал!", "Читайте також"]
    parts = {(f.rule_id, f.part) for f in report.findings}
    assert ("uk-dehumanising-label", "body") in parts and ("exclamation", "boilerplate") in parts


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_rules_new_scaffolds_a_lemma_pack_that_passes_its_tests(tmp_path: Path, language: str) -> None:
    created = run("rules", "new", f"desk-{language}", "--language", language, "--directory", str(tmp_path))
    assert created.exit_code == 0, created.stderr
    pack = tmp_path / f"desk-{language}.yaml"
    written = pack.read_text(encoding="utf-8")
    assert f"language: {language}\nmatch: lemma\n" in written and '"{match}"' in written
    tested = run("rules", "test", str(pack))
    assert tested.exit_code == 0 and tested.stdout.splitlines()[-1] == "4 passed, 0 failed", tested.stdout


def test_a_pinned_word_and_a_participle_keep_their_own_forms(tmp_path: Path) -> None:
    pack = lemma_pack(tmp_path / "pins.yaml", "[=кажуть, просроченный]", language="ru")
    engine = make_engine(rule_paths=[pack], default_rules=False)
    text = "Кажуть, он ушёл. Он кажет всё. Просроченного президента нет. Он просрочил платёж."
    assert spans(engine, text, "pins-rule", language="ru") == ["Кажуть", "Просроченного"]
    with pytest.raises(PackError, match="lemma phrase '=' has no words"):
        load_pack(lemma_pack(tmp_path / "bad2.yaml", "['= ']"))
    with pytest.raises(PackError, match="must begin and end with a word"):
        load_pack(lemma_pack(tmp_path / "bad3.yaml", "['рашист!']"))
