"""Scale features behave exactly like a plain scan: worker processes, Dask, the pack cache,
the progress line."""

from __future__ import annotations

import io
import json
import os
import pickle
from pathlib import Path

import pytest
from helpers import PTC, SEED, make_engine, run_subprocess, write_rule_pack

from framecheck.core import cache
from framecheck.core.model import Document
from framecheck.core.resources import bundled_rules_dir
from framecheck.outputs.progress import Progress
from framecheck.packs.loading import load_pack, load_packs

needs_ptc = pytest.mark.skipif(not PTC.is_dir(), reason="PTC corpus not found beside the checkout (../shared/corpora/ptc)")


def ptc_articles(count: int) -> list[Path]:
    return sorted((PTC / "articles").glob("*.txt"))[:count]


@pytest.fixture(scope="module")
def article_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 labelled articles (more than the 64 after which auto mode forks) plus the seed."""
    folder = tmp_path_factory.mktemp("articles")
    for path in ptc_articles(100) + [SEED]:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.fixture(scope="module")
def jsonl_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSONL corpus with a bad record and a blank line among the articles."""
    lines = [json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) for p in ptc_articles(60)]
    lines.insert(10, "{not json")
    lines.insert(20, "")
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan_json(*args: str) -> tuple[int, dict, str]:
    result = run_subprocess("scan", "--format", "json", *args, timeout=300)
    assert result.returncode in (0, 1, 2), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


@needs_ptc
def test_worker_processes_report_what_one_process_reports_in_the_same_order(article_dir: Path) -> None:
    code, serial, _ = scan_json("--jobs", "1", str(article_dir))
    parallel_code, parallel, _ = scan_json("--jobs", "2", str(article_dir))
    auto_code, auto, _ = scan_json(str(article_dir))  # > 64 documents: auto mode forks
    assert serial["summary"]["articles"] == 101 and serial["summary"]["findings"] > 100
    assert parallel == serial and auto == serial
    assert code == parallel_code == auto_code == 1


@needs_ptc
def test_worker_processes_scan_corpus_records_and_errors_in_order(jsonl_corpus: Path, article_dir: Path, tmp_path: Path) -> None:
    """Corpus records are read here and scanned there; files are read there; errors keep their place."""
    missing = tmp_path / "gone.txt"
    args = (str(jsonl_corpus), str(missing), str(article_dir / SEED.name))
    serial = run_subprocess("scan", "--format", "json", "--jobs", "1", *args, timeout=300)
    parallel = run_subprocess("scan", "--format", "json", "--jobs", "2", *args, timeout=300)
    assert serial.returncode == parallel.returncode == 2
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)
    assert json.loads(serial.stdout)["summary"]["articles"] == 61
    assert parallel.stderr == serial.stderr and "gone.txt" in serial.stderr


def test_jobs_must_be_positive() -> None:
    result = run_subprocess("scan", "--jobs", "0", str(SEED))
    assert result.returncode == 2 and "--jobs" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed", reason="framecheck[dask] is not installed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield cluster
    cluster.close()


@needs_ptc
def test_dask_scan_of_a_jsonl_corpus_equals_the_local_scan(dask_cluster, jsonl_corpus: Path) -> None:
    local_code, local, local_errors = scan_json(str(jsonl_corpus))
    dask_code, remote, dask_errors = scan_json("--dask", dask_cluster.scheduler_address, str(jsonl_corpus))
    assert remote == local
    assert local["summary"]["articles"] == 60 and dask_code == local_code == 2  # the bad record
    assert "corpus.jsonl:11: invalid JSON" in dask_errors and dask_errors == local_errors


@needs_ptc
def test_dask_scan_reports_an_unreadable_input_in_place_and_goes_on(dask_cluster, jsonl_corpus: Path, tmp_path: Path) -> None:
    missing = tmp_path / "gone.jsonl"
    code, remote, errors = scan_json("--dask", dask_cluster.scheduler_address, str(missing), str(jsonl_corpus))
    assert code == 2 and remote["summary"]["articles"] == 60
    assert errors.index("gone.jsonl") < errors.index("corpus.jsonl:11")


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="framecheck[dask] is not installed")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": 1, "text": "They terrorised the town."}\n', encoding="utf-8")
    result = run_subprocess("scan", "--dask", "tcp://127.0.0.1:9", str(corpus))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("framecheck: error: --dask tcp://127.0.0.1:9: cannot reach the scheduler")


def test_dask_scan_names_what_it_cannot_do(dask_cluster) -> None:
    result = run_subprocess("scan", "--dask", dask_cluster.scheduler_address, str(SEED))
    assert result.returncode == 2
    assert "--dask scans JSONL corpora" in result.stderr and "Traceback" not in result.stderr


@needs_ptc
def test_dask_api_returns_findings_and_scores_as_dataframes(dask_cluster) -> None:
    dask = pytest.importorskip("dask")
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client
    from helpers import make_engine

    from framecheck.app.dask_scan import scan_bag, scan_dataframe
    from framecheck.inputs.readers import text_document

    articles = ptc_articles(30)
    records = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in articles]
    engine = make_engine()
    expected = sorted(
        (record["id"], f.rule_id, f.start, f.end)
        for record in records
        for f in engine.scan(text_document(record["id"], record["text"])).findings
    )
    with Client(dask_cluster.scheduler_address):
        result = scan_bag(db.from_sequence(records, npartitions=4))
        findings, scores = dask.compute(result.findings, result.scores)
        frame = dd.from_pandas(pd.DataFrame(records), npartitions=3)
        from_frame = scan_dataframe(frame, id_column="id").findings.compute()
    got = sorted(zip(findings.source, findings.rule_id, findings.start, findings.end))
    assert got == expected and len(expected) > 20
    assert sorted(zip(from_frame.source, from_frame.rule_id, from_frame.start, from_frame.end)) == expected
    assert sorted(scores.source) == sorted(r["id"] for r in records)
    assert scores.score.between(0, 100).all() and set(scores.band) <= {"low", "elevated", "high"}


# --- the pack cache -----------------------------------------------------------------------


def test_packs_are_cached_and_the_cache_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path / "cache"))
    first = load_packs([bundled_rules_dir()])
    entries = sorted((tmp_path / "cache").glob("pack-*.pickle"))
    assert len(entries) == len(first) > 5

    def no_yaml(*args, **kwargs):
        raise AssertionError("the pack was parsed again")

    monkeypatch.setattr("framecheck.packs.loading._read_pack", no_yaml)
    again = load_packs([bundled_rules_dir()])
    assert [r.info for p in again for r in p.rules] == [r.info for p in first for r in p.rules]


def test_a_corrupt_or_foreign_cache_entry_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path))
    pack = write_rule_pack(tmp_path / "mine.yaml", "r", "[maybe]")
    load_pack(pack)
    (entry,) = tmp_path.glob("pack-*.pickle")
    entry.write_bytes(b"garbage")
    assert load_pack(pack).rules[0].id == "r"
    assert pickle.loads(entry.read_bytes()).rules[0].id == "r"  # rewritten


def test_an_edited_pack_gets_a_new_entry_and_errors_are_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path / "c"))
    pack = write_rule_pack(tmp_path / "mine.yaml", "r", "[maybe]")
    assert load_pack(pack).rules[0].info.patterns == ("maybe",)
    write_rule_pack(pack, "r", "[perhaps]")
    assert load_pack(pack).rules[0].info.patterns == ("perhaps",)
    assert len(list((tmp_path / "c").glob("pack-*.pickle"))) == 2
    pack.write_text("id: mine\nname: Mine\nrules:\n  - id: r\n    technique: nonsense\n")
    result = run_subprocess("scan", "--no-default-rules", "--rules", str(pack), "-", env={**os.environ})
    assert result.returncode == 2 and "mine.yaml:5" in result.stderr
    assert len(list((tmp_path / "c").glob("pack-*.pickle"))) == 2


def test_the_cache_can_be_turned_off_or_be_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path / "off"))
    monkeypatch.setenv("FRAMECHECK_NO_CACHE", "1")
    assert cache.cache_dir() is None
    load_packs([bundled_rules_dir()])
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv("FRAMECHECK_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    result = run_subprocess("scan", str(SEED), env={**os.environ})
    assert result.returncode == 1 and "Traceback" not in result.stderr and "4 findings" in result.stdout


# --- the progress line --------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_after_a_delay_and_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("framecheck.outputs.progress.DELAY", 0.0)
    monkeypatch.setattr("framecheck.outputs.progress.REDRAW_EVERY", 0.0)
    terminal = FakeTerminal()
    progress = Progress(terminal)
    progress.advance(2_000_000, 3)
    progress.advance(1_000_000, 1)
    drawn = terminal.getvalue()
    assert "framecheck: 2 articles, 3.0 M characters, 4 findings" in drawn
    progress.close()
    assert terminal.getvalue().endswith("\r")
    assert terminal.getvalue()[len(drawn):].strip() == ""


def test_progress_stays_silent_when_quiet_or_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("framecheck.outputs.progress.DELAY", 0.0)
    for stream, enabled in ((FakeTerminal(), False), (io.StringIO(), True)):
        progress = Progress(stream, enabled=enabled)
        progress.advance(10, 1)
        progress.close()
        assert stream.getvalue() == ""


def test_the_phrase_automaton_is_cached_and_gives_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path))
    text = SEED.read_text(encoding="utf-8")
    first = [(f.rule_id, f.start, f.end) for f in make_engine().scan(Document("seed", text)).findings]
    assert len(list(tmp_path.glob("automaton-*.pickle"))) == 1 and len(first) >= 4

    def no_build(*args, **kwargs):
        raise AssertionError("the automaton was built again")

    monkeypatch.setattr("framecheck.packs.indexes._build_automaton", no_build)
    assert [(f.rule_id, f.start, f.end) for f in make_engine().scan(Document("seed", text)).findings] == first
    pack = write_rule_pack(tmp_path / "mine.yaml", "r", "[maybe]")
    with pytest.raises(AssertionError, match="built again"):  # other phrases: another automaton
        make_engine(default_rules=False, rule_paths=[pack])


def test_the_cache_keeps_only_the_newest_entries_of_a_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "KEEP_PER_KIND", 2)
    (tmp_path / "pack-other-kind.pickle").write_bytes(b"kept")
    written: set[Path] = set()
    for number in range(5):
        assert cache.cached("automaton", "test", str(number).encode(), lambda number=number: number) == number
        (new,) = set(tmp_path.glob("automaton-*.pickle")) - written
        os.utime(new, (number, number))  # an unmistakable order, whatever the clock's resolution
        written = set(tmp_path.glob("automaton-*.pickle"))
    assert sorted(pickle.loads(p.read_bytes()) for p in written) == [3, 4]
    assert (tmp_path / "pack-other-kind.pickle").exists()
