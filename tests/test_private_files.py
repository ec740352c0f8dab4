"""The history database and the settings are the user's alone: files 0600, folders 0700.

Run through the product's entry points under a permissive umask (022): the
`softphone` command creating its database in the data directory, and the
settings written by `save_account` (what the account dialog calls).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.config import save_account

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_cli_creates_a_private_history(tmp_path: Path, umask_022: None) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "softphone", "block", "mallory@example.test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [db] = (tmp_path / "data").rglob("history.sqlite3")
    created = [db, *db.parent.glob("history.sqlite3-*")]
    assert {mode(p) for p in created} == {0o600}, [(p.name, oct(mode(p))) for p in created]
    assert mode(db.parent) == 0o700


def test_explicit_db_in_a_new_folder_is_private_too(tmp_path: Path, umask_022: None) -> None:
    from softphone.store import Store

    store = Store.open(tmp_path / "new" / "h.sqlite3")
    store.set_blocked("sip:x@example.test", True, now=1.0)
    try:
        for path in (tmp_path / "new").iterdir():
            assert mode(path) == 0o600, path
        assert mode(tmp_path / "new") == 0o700
    finally:
        store.close()


def test_settings_file_and_folder_are_private(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "config" / "softphone" / "account.toml"
    save_account(Account(aor="sip:alice@example.com"), path)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
