"""Reports and models are written whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from framecheck.core.errors import FramecheckError
from framecheck.outputs.atomic import atomic_binary_file, atomic_text_file


def test_a_completed_block_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    with atomic_text_file(target) as handle:
        handle.write("new ✓")
        assert target.read_text(encoding="utf-8") == "old"  # nothing replaced until the block ends
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_block_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_text_file(target) as handle:
            handle.write("half")
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["report.json"]


def test_a_new_file_gets_the_umask_s_mode_not_a_private_one(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_binary_file(tmp_path / "m.fcm") as handle:
            handle.write(b"\x00\x01")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.fcm").stat().st_mode) == 0o644
    assert (tmp_path / "m.fcm").read_bytes() == b"\x00\x01"


def test_a_directory_or_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FramecheckError, match="cannot write the report: is a directory"):
        with atomic_text_file(tmp_path):
            pass
    with pytest.raises(FramecheckError, match=r"missing/r\.json: cannot write the report"):
        with atomic_text_file(tmp_path / "missing" / "r.json"):
            pass
