"""What git says changed, and what it ignores, for --changed-since and directory walks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from framecheck.core.errors import FramecheckError
from framecheck.inputs.vcs import changed_files, ignored_paths

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run([*GIT, "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "old.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "gone.md").write_text("gone\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("drafts/\n*.tmp\n", encoding="utf-8")
    subprocess.run([*GIT, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*GIT, "commit", "-qm", "start"], cwd=tmp_path, check=True)
    return tmp_path


def test_changed_files_are_modified_and_untracked_ones_that_still_exist(repo: Path) -> None:
    (repo / "old.md").write_text("edited\n", encoding="utf-8")
    (repo / "gone.md").unlink()
    (repo / "new.md").write_text("new\n", encoding="utf-8")
    (repo / "note.tmp").write_text("ignored\n", encoding="utf-8")
    assert [p.name for p in changed_files("HEAD", repo)] == ["new.md", "old.md"]


def test_an_unknown_revision_or_no_repository_is_one_clear_error(repo: Path, tmp_path_factory) -> None:
    with pytest.raises(FramecheckError, match="unknown revision 'nope'"):
        changed_files("nope", repo)
    outside = tmp_path_factory.mktemp("plain")
    with pytest.raises(FramecheckError, match="is not inside a git repository"):
        changed_files("HEAD", outside)


def test_ignored_paths_are_what_git_ignores_and_nothing_outside_a_work_tree(repo: Path, tmp_path_factory) -> None:
    (repo / "drafts").mkdir()
    (repo / "drafts" / "a.md").write_text("x\n", encoding="utf-8")
    (repo / "b.tmp").write_text("x\n", encoding="utf-8")
    assert ignored_paths(repo) == {repo.absolute() / "drafts", repo.absolute() / "b.tmp"}
    assert ignored_paths(tmp_path_factory.mktemp("plain")) == frozenset()
