"""Each account keeps its own history; the one from before stays with its account."""

from __future__ import annotations

import argparse
from pathlib import Path

from softphone.account import Account
from softphone.config import account_folder_name, save_account
from softphone.launch import LEGACY_HISTORY, history_path, open_store
from softphone.store import Direction, Store

ALICE = Account("sip:alice@example.com")
BOB = Account("sip:bob@example.com")


def test_a_fresh_install_gives_each_account_its_own_folder(tmp_path: Path) -> None:
    alice = history_path(ALICE, tmp_path)
    bob = history_path(BOB, tmp_path)
    assert alice == tmp_path / "accounts" / "alice@example.com" / LEGACY_HISTORY
    assert bob.parent.name == "bob@example.com"
    assert not (tmp_path / LEGACY_HISTORY).exists()


def test_the_old_history_stays_in_place_and_belongs_to_the_configured_account(
    tmp_path: Path,
) -> None:
    legacy = tmp_path / LEGACY_HISTORY
    store = Store.open(legacy)
    store.insert_outgoing("sip:carol@example.com", "written before the upgrade", now=1.0)
    store.close()
    before = legacy.read_bytes()
    # Bob starts first, but alice is the account in the settings file.
    assert history_path(BOB, tmp_path, configured=ALICE.aor) != legacy
    assert history_path(ALICE, tmp_path, configured=BOB.aor) == legacy  # decided once
    assert history_path(BOB, tmp_path, configured=BOB.aor) != legacy
    assert (tmp_path / "history.account").read_text().strip() == ALICE.aor
    assert legacy.read_bytes() == before  # never moved, copied or rewritten
    store = Store.open(history_path(ALICE, tmp_path))
    try:
        [record] = store.messages("sip:carol@example.com")
        assert record.body == "written before the upgrade"
        assert record.direction is Direction.OUT
    finally:
        store.close()


def test_open_store_follows_the_account_and_the_settings_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("softphone.launch.default_data_dir", lambda: tmp_path / "data")
    config = tmp_path / "account.toml"
    save_account(ALICE, config)
    (tmp_path / "data").mkdir()
    Store.open(tmp_path / "data" / LEGACY_HISTORY).close()
    args = argparse.Namespace(config=config, db=None)
    for account, expected in (
        (BOB, tmp_path / "data" / "accounts" / "bob@example.com" / LEGACY_HISTORY),
        (ALICE, tmp_path / "data" / LEGACY_HISTORY),
    ):
        store = open_store(args, account)
        store.close()
        assert expected.exists()
    # --db wins over everything.
    store = open_store(argparse.Namespace(config=config, db=tmp_path / "x.db"), BOB)
    store.close()
    assert (tmp_path / "x.db").exists()


def test_folder_names_are_readable_and_safe() -> None:
    assert account_folder_name("sip:Bob@Example.COM") == "Bob@example.com"
    assert account_folder_name("sips:bob@example.com") == "sips-bob@example.com"
    odd = account_folder_name("sip:..%2F..%2Fetc@example.com")
    assert "/" not in odd and not odd.startswith(".")
    assert odd != account_folder_name("sip:.._.._etc@example.com")
