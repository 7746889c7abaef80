"""Hostile files: each gets one line naming the path; the other files are still scanned."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import peak_rss_kib

LOADED = "They terrorised the town.\n"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_binary_and_nul_files_are_skipped_invalid_utf8_decoded_with_a_note(inputs: Path, scan) -> None:
    write(inputs, "a-binary.txt", bytes(range(256)) * 4)
    latin = write(inputs, "b-latin1.txt", "Café: they terrorised the town.\n".encode("latin-1"))
    write(inputs, "c-nul.txt", "They terrorised\0 the town.\n")
    good = write(inputs, "d-good.txt", LOADED)
    result = scan(str(inputs))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"framecheck: error: {inputs / 'a-binary.txt'}: looks like a binary file (contains NUL bytes); skipped",
        f"framecheck: error: {inputs / 'c-nul.txt'}: looks like a binary file (contains NUL bytes); skipped",
    ]
    assert f"{latin}:1:12: warning loaded-verb-terrorise" in result.stdout
    assert f"{latin}: note: not valid UTF-8 (byte 0xe9 at offset 3); decoded as windows-1252" in result.stdout
    assert f"{good}:1:6: warning loaded-verb-terrorise" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 articles scanned, 2 findings (2 warnings); 2 inputs could not be read"


def test_skip_unreadable_turns_input_errors_into_warnings(inputs: Path, scan) -> None:
    write(inputs, "blob.txt", b"\0\0\0")
    write(inputs, "good.txt", LOADED)
    result = scan("--skip-unreadable", str(inputs))
    assert result.returncode == 1  # decided by the findings alone
    assert result.stderr.startswith(f"framecheck: warning: {inputs / 'blob.txt'}: looks like a binary file")
    clean = scan("--skip-unreadable", "--fail-on", "never", str(inputs))
    assert clean.returncode == 0


def test_an_empty_file_is_an_article_with_no_findings(inputs: Path, scan) -> None:
    empty = write(inputs, "empty.txt", b"")
    result = scan(str(empty))
    assert result.returncode == 0
    assert result.stdout == f"{empty}: 0 findings, score 0/100 (low), 0.0 points per 1,000 words (0 words)\n"


def test_a_path_that_does_not_exist(inputs: Path, scan) -> None:
    good = write(inputs, "good.txt", LOADED)
    result = scan(str(inputs / "nope.txt"), str(good))
    assert result.returncode == 2
    assert result.stderr == f"framecheck: error: {inputs / 'nope.txt'}: no such file or directory\n"
    assert f"{good}:1:6:" in result.stdout


def test_a_directory_symlink_loop_terminates(inputs: Path, scan) -> None:
    (inputs / "sub").mkdir()
    write(inputs, "sub/story.txt", LOADED)
    (inputs / "sub" / "loop").symlink_to(inputs, target_is_directory=True)
    (inputs / "self").symlink_to(inputs / "self")  # a dangling link to itself
    result = scan(str(inputs), timeout=30)
    assert result.returncode == 1
    assert result.stdout.count("loaded-verb-terrorise") == 1


def test_a_fifo_is_skipped_instead_of_blocking(inputs: Path, scan) -> None:
    fifo = inputs / "pipe.txt"
    os.mkfifo(fifo)
    good = write(inputs, "good.txt", LOADED)
    result = scan(str(fifo), str(good), timeout=30)
    assert result.returncode == 2
    assert result.stderr == f"framecheck: error: {fifo}: not a regular file; skipped\n"


UNREADABLE_SHIM = """
import sys, pathlib
denied = sys.argv.pop(1)
original = pathlib.Path.open
def guarded_open(self, *args, **kwargs):
    if str(self) == denied:
        raise PermissionError(13, "Permission denied", str(self))
    return original(self, *args, **kwargs)
pathlib.Path.open = guarded_open
from framecheck.cli import main
main()
"""


def test_an_unreadable_file(inputs: Path, scan, tmp_path: Path) -> None:
    secret = write(inputs, "secret.txt", LOADED)
    good = write(inputs, "good.txt", LOADED)
    if os.geteuid() != 0:
        secret.chmod(0)
        result = scan(str(secret), str(good))
    else:  # root reads any file, so the kernel's EACCES is injected at the read instead
        shim = tmp_path / "shim.py"
        shim.write_text(UNREADABLE_SHIM, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(shim), str(secret), "scan", str(secret), str(good)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr == f"framecheck: error: {secret}: cannot read: Permission denied\n"
    assert f"{good}:1:6:" in result.stdout


DELETER = """
from pathlib import Path
from framecheck import hookimpl

class Deleter:
    name = "deleter"
    rules = ()
    def detect(self, document):
        if document.source.endswith("a.txt"):
            Path(document.source).with_name("b.txt").unlink()
        return []

@hookimpl
def framecheck_detectors():
    return [Deleter()]
"""


def test_a_file_deleted_mid_scan(inputs: Path, scan, tmp_path: Path) -> None:
    plugin = tmp_path / "deleter.py"
    plugin.write_text(DELETER, encoding="utf-8")
    for name in ("a.txt", "b.txt", "c.txt"):
        write(inputs, name, LOADED)
    result = scan("--plugin", str(plugin), str(inputs), deleted=(inputs / "b.txt",))
    assert result.returncode == 2
    assert result.stderr == f"framecheck: error: {inputs / 'b.txt'}: cannot read: No such file or directory\n"
    assert [line.split(":")[0] for line in result.stdout.splitlines() if "loaded-verb" in line] == [
        str(inputs / "a.txt"),
        str(inputs / "c.txt"),
    ]


@pytest.mark.slow
def test_a_100_mb_single_line_file_is_scanned_in_bounded_memory(inputs: Path) -> None:
    huge = inputs / "huge.txt"
    size = 100_000_000
    with huge.open("w", encoding="utf-8") as handle:
        handle.write("=" * size)
        handle.write(" " + LOADED)
    started = time.perf_counter()
    command = [sys.executable, "-m", "framecheck", "scan", "--max-bytes", "200M", str(huge)]
    code, stdout, peak_kib = peak_rss_kib(command)
    elapsed = time.perf_counter() - started
    assert code == 1
    assert f"{huge}:1:{size + 7}: warning loaded-verb-terrorise" in stdout
    assert peak_kib * 1024 < 4 * size, f"peak RSS {peak_kib // 1024} MiB for a {size // 10**6} MB file"
    # A guard against a hang or a quadratic blow-up (hours), not a speed measurement: on a 2-CPU
    # machine this scan takes 100-130 s, so a tighter bound only measured the machine's mood.
    assert elapsed < 300
