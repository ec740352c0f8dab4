"""The SQLite store: durability, dedupe, paging, state changes, migrations."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone import store as store_module
from softphone.sip.delivery import DeliveryState, FailureKind
from softphone.store import (
    SCHEMA_VERSION,
    ContactRecord,
    Direction,
    InvalidTransition,
    MessageId,
    NotFound,
    Store,
    StoreError,
    Write,
)

ALICE = "sip:alice@example.com"
BOB = "sip:bob@example.org"
TEXT = "text/plain;charset=UTF-8"


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store.open(":memory:")
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "softphone.sqlite3"


def _incoming(
    store: Store,
    body: str,
    *,
    cseq: int = 1,
    call_id: str = "c1",
    tag: str = "t1",
    peer: str = BOB,
    now: float = 10.0,
) -> tuple[store_module.MessageRecord, bool]:
    return store.insert_incoming(
        peer, body, content_type=TEXT, call_id=call_id, cseq=cseq, from_tag=tag, now=now
    )


# --- opening -------------------------------------------------------------------


def test_open_file_creates_directory_and_uses_wal_and_full_sync(db_path: Path) -> None:
    s = Store.open(db_path)
    try:
        assert db_path.exists()
        assert s.schema_version == SCHEMA_VERSION == 6
        assert s._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # 2 is FULL: a commit waits until the log is synced.
        assert s._db.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert s._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        s.close()


def test_open_str_path_and_reopen_keeps_version(db_path: Path) -> None:
    db_path.parent.mkdir()
    Store.open(str(db_path)).close()
    s = Store.open(str(db_path))
    assert s.schema_version == SCHEMA_VERSION
    s.close()


def test_open_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a softphone database"):
        Store.open(path)


def test_open_refuses_a_newer_schema(db_path: Path) -> None:
    db_path.parent.mkdir()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(db_path)


# --- outgoing ----------------------------------------------------------------------


def test_insert_outgoing_is_queued_and_creates_the_conversation(store: Store) -> None:
    rec = store.insert_outgoing(ALICE, "hello", now=100.0)
    assert rec.direction is Direction.OUT
    assert rec.state is DeliveryState.QUEUED
    assert (rec.peer, rec.body, rec.content_type) == (ALICE, "hello", TEXT)
    assert (rec.created, rec.updated) == (100.0, 100.0)
    assert (rec.code, rec.reason, rec.local_failure) == (None, "", False)
    assert (rec.call_id, rec.cseq, rec.from_tag) == (None, None, None)
    assert rec.detail == "waiting to be sent"
    assert store.message(rec.id) == rec
    [conv] = store.conversations()
    assert (conv.peer, conv.unread, conv.last_activity) == (ALICE, 0, 100.0)


def test_insert_outgoing_custom_content_type(store: Store) -> None:
    rec = store.insert_outgoing(ALICE, "<b>x</b>", content_type="text/html", now=1.0)
    assert store.message(rec.id).content_type == "text/html"


def test_outgoing_is_visible_to_another_connection_when_insert_returns(db_path: Path) -> None:
    s = Store.open(db_path)
    try:
        rec = s.insert_outgoing(ALICE, "on disk first", now=1.0)
        other = sqlite3.connect(db_path)
        row = other.execute("SELECT body, state FROM messages WHERE id = ?", (rec.id,)).fetchone()
        other.close()
        assert row == ("on disk first", "queued")
    finally:
        s.close()


def test_incoming_is_visible_to_another_connection_when_insert_returns(db_path: Path) -> None:
    s = Store.open(db_path)
    try:
        rec, created = _incoming(s, "answer me after this")
        assert created
        other = sqlite3.connect(db_path)
        row = other.execute("SELECT body FROM messages WHERE id = ?", (rec.id,)).fetchone()
        other.close()
        assert row == ("answer me after this",)
    finally:
        s.close()


# --- incoming and dedupe --------------------------------------------------------------


def test_insert_incoming_stores_identity_and_counts_unread(store: Store) -> None:
    rec, created = store.insert_incoming(
        BOB,
        "hi",
        content_type=TEXT,
        call_id="abc@h",
        cseq=7,
        from_tag="ft",
        now=5.0,
        display_name="Bob",
    )
    assert created
    assert rec.direction is Direction.IN
    assert rec.state is DeliveryState.DELIVERED
    assert (rec.call_id, rec.cseq, rec.from_tag) == ("abc@h", 7, "ft")
    assert store.message(rec.id) == rec  # the record returned is the row as stored
    [conv] = store.conversations()
    assert (conv.peer, conv.display_name, conv.unread, conv.last_activity) == (BOB, "Bob", 1, 5.0)


def test_duplicate_incoming_returns_the_stored_record_and_changes_nothing(store: Store) -> None:
    first, created = _incoming(store, "once", now=5.0)
    again, created_again = _incoming(store, "once (retransmitted)", now=9.0)
    assert created and not created_again
    assert again == first
    assert store.count_messages(BOB) == 1
    [conv] = store.conversations()
    assert (conv.unread, conv.last_activity) == (1, 5.0)


def test_dedupe_uses_call_id_cseq_and_from_tag_not_call_id_alone(store: Store) -> None:
    # Some stacks reuse one Call-ID for every MESSAGE: each CSeq is a new message.
    assert _incoming(store, "a", cseq=1)[1]
    assert _incoming(store, "b", cseq=2)[1]
    assert _incoming(store, "c", cseq=2, tag="other-tag")[1]
    assert _incoming(store, "d", cseq=2, call_id="c2")[1]
    assert _incoming(store, "e", cseq=2, peer=ALICE)[1]
    assert not _incoming(store, "b again", cseq=2)[1]
    assert store.count_messages(BOB) == 4
    assert store.count_messages(ALICE) == 1


def test_dedupe_works_without_a_from_tag(store: Store) -> None:
    # RFC 2543 peers send no From tag; "" stands for it, and "" equals "".
    assert _incoming(store, "x", tag="")[1]
    assert not _incoming(store, "x", tag="")[1]
    assert store.count_messages(BOB) == 1


def test_outgoing_wire_identity_never_collides_with_incoming(store: Store) -> None:
    out = store.insert_outgoing(BOB, "mine", now=1.0)
    store.set_wire_identity(out.id, "c1", 1)
    assert _incoming(store, "theirs", call_id="c1", cseq=1, tag="t1")[1]


def test_unique_index_backs_up_the_dedupe(store: Store) -> None:
    _incoming(store, "x")
    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute(
            "INSERT INTO messages (peer, direction, body, content_type, created, updated, state,"
            " call_id, cseq, from_tag) VALUES (?, 'in', 'y', ?, 1, 1, 'delivered', 'c1', 1, 't1')",
            (BOB, TEXT),
        )


# --- state changes ------------------------------------------------------------------


def test_state_history_through_a_digest_challenge(store: Store) -> None:
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    history = [rec.state]
    for state, code, reason, now in [
        (DeliveryState.SENDING, None, "", 2.0),
        (DeliveryState.SENDING, 407, "Proxy Authentication Required", 2.1),
        (DeliveryState.SENDING, 100, "Trying", 2.2),
        (DeliveryState.DELIVERED, 200, "OK", 2.3),
    ]:
        rec = store.update_state(rec.id, state, code=code, reason=reason, now=now)
        history.append(rec.state)
    assert history == [
        DeliveryState.QUEUED,
        DeliveryState.SENDING,
        DeliveryState.SENDING,
        DeliveryState.SENDING,
        DeliveryState.DELIVERED,
    ]
    stored = store.message(rec.id)
    assert (stored.code, stored.reason, stored.local_failure) == (200, "OK", False)
    assert (stored.created, stored.updated) == (1.0, 2.3)
    assert stored.detail == "delivered to the recipient's device: 200 OK"


def test_one_final_state_per_message(store: Store) -> None:
    # A late response after the final one must not rewrite history
    # (one report of 503 and then 401 for the same message is a known bug).
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    store.update_state(rec.id, DeliveryState.SENDING, now=2.0)
    store.update_state(
        rec.id, DeliveryState.FAILED, code=503, reason="Service Unavailable", now=3.0
    )
    for state in (DeliveryState.SENDING, DeliveryState.DELIVERED, DeliveryState.FAILED):
        with pytest.raises(InvalidTransition, match="already failed"):
            store.update_state(rec.id, state, code=401, reason="Unauthorized", now=4.0)
    assert store.message(rec.id).code == 503


@pytest.mark.parametrize("final", [DeliveryState.DELIVERED, DeliveryState.ACCEPTED])
def test_successful_messages_cannot_be_requeued(store: Store, final: DeliveryState) -> None:
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    store.update_state(rec.id, final, code=200, reason="OK", now=2.0)
    with pytest.raises(InvalidTransition):
        store.update_state(rec.id, DeliveryState.QUEUED, now=3.0)


@pytest.mark.parametrize("final", [DeliveryState.FAILED, DeliveryState.DECLINED])
def test_retry_requeues_a_failed_or_declined_message(store: Store, final: DeliveryState) -> None:
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    store.update_state(rec.id, final, code=603, reason="Decline", now=2.0)
    rec = store.update_state(rec.id, DeliveryState.QUEUED, now=3.0)
    assert (rec.state, rec.code, rec.reason) == (DeliveryState.QUEUED, None, "")
    assert store.pending_outgoing() == [rec]


def test_local_failure_is_kept_apart_from_remote_codes(store: Store) -> None:
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    rec = store.update_state(
        rec.id,
        DeliveryState.FAILED,
        reason=FailureKind.TIMEOUT.reason,
        local_failure=True,
        now=33.0,
    )
    assert (rec.code, rec.local_failure) == (None, True)
    assert rec.detail == "failed: no answer from the server after 32 s"


def test_update_state_rejects_bad_input(store: Store) -> None:
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    with pytest.raises(InvalidTransition):
        store.update_state(rec.id, DeliveryState.FAILED, code=408, local_failure=True, now=2.0)
    with pytest.raises(InvalidTransition):
        store.update_state(rec.id, DeliveryState.DELIVERED, local_failure=True, now=2.0)
    with pytest.raises(ValueError):
        store.update_state(rec.id, DeliveryState.FAILED, code=700, now=2.0)
    with pytest.raises(NotFound):
        store.update_state(MessageId(rec.id + 1000), DeliveryState.SENDING, now=2.0)
    incoming, _ = _incoming(store, "y")
    with pytest.raises(InvalidTransition, match="incoming"):
        store.update_state(incoming.id, DeliveryState.SENDING, now=2.0)
    # Nothing above changed the stored message.
    assert store.message(rec.id) == rec


def test_set_wire_identity(store: Store) -> None:
    rec = store.insert_outgoing(ALICE, "x", now=1.0)
    store.set_wire_identity(rec.id, "call-1@host", 42)
    stored = store.message(rec.id)
    assert (stored.call_id, stored.cseq) == ("call-1@host", 42)
    with pytest.raises(NotFound):
        store.set_wire_identity(MessageId(9999), "c", 1)


def test_message_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.message(MessageId(1))


# --- history paging -------------------------------------------------------------------


def test_paging_through_a_thousand_messages(store: Store) -> None:
    inserted = []
    for i in range(1000):
        if i % 2:
            inserted.append(store.insert_outgoing(ALICE, f"m{i}", now=float(i)).id)
        else:
            rec, _ = _incoming(store, f"m{i}", peer=ALICE, cseq=i, now=float(i))
            inserted.append(rec.id)
        if i % 10 == 0:
            store.insert_outgoing(BOB, f"other {i}", now=float(i))
    assert store.count_messages(ALICE) == 1000
    assert store.count_messages(BOB) == 100

    pages: list[list[MessageId]] = []
    before: MessageId | None = None
    while True:
        page = store.messages(ALICE, before_id=before, limit=64)
        if not page:
            break
        assert all(m.peer == ALICE for m in page)
        ids = [m.id for m in page]
        assert ids == sorted(ids)
        pages.append(ids)
        before = page[0].id
    assert [len(p) for p in pages] == [64] * 15 + [40]
    # Newest page first; together the pages are the whole history, once.
    assert [i for p in reversed(pages) for i in p] == inserted
    assert [m.body for m in store.messages(ALICE, limit=3)] == ["m997", "m998", "m999"]


def test_messages_edge_cases(store: Store) -> None:
    assert store.messages(ALICE) == []
    assert store.count_messages(ALICE) == 0
    rec = store.insert_outgoing(ALICE, "only", now=1.0)
    assert store.messages(ALICE, limit=0) == []
    assert store.messages(ALICE, before_id=rec.id) == []
    assert store.messages(ALICE, before_id=MessageId(rec.id + 1)) == [rec]


# --- outbox and recovery ---------------------------------------------------------------


def test_pending_outgoing_is_queued_only_oldest_first(store: Store) -> None:
    a = store.insert_outgoing(ALICE, "1", now=1.0)
    b = store.insert_outgoing(BOB, "2", now=2.0)
    c = store.insert_outgoing(ALICE, "3", now=3.0)
    _incoming(store, "in")
    store.update_state(b.id, DeliveryState.SENDING, now=4.0)
    assert [m.id for m in store.pending_outgoing()] == [a.id, c.id]


def test_recover_after_restart_fails_messages_left_sending(db_path: Path) -> None:
    s = Store.open(db_path)
    queued = s.insert_outgoing(ALICE, "queued", now=1.0)
    sending1 = s.insert_outgoing(ALICE, "sending 1", now=2.0)
    delivered = s.insert_outgoing(BOB, "delivered", now=3.0)
    sending2 = s.insert_outgoing(BOB, "sending 2", now=4.0)
    s.update_state(sending1.id, DeliveryState.SENDING, code=100, reason="Trying", now=5.0)
    s.update_state(sending2.id, DeliveryState.SENDING, now=5.0)
    s.update_state(delivered.id, DeliveryState.DELIVERED, code=200, reason="OK", now=6.0)
    s.close()

    s = Store.open(db_path)
    recovered = s.recover_after_restart(now=100.0)
    assert [m.id for m in recovered] == [sending1.id, sending2.id]
    for m in recovered:
        assert m.state is DeliveryState.FAILED
        assert (m.code, m.local_failure, m.updated) == (None, True, 100.0)
        assert m.reason == "closed before the server answered"
        assert m.detail == "failed: closed before the server answered"
        assert s.message(m.id) == m
    assert s.message(queued.id).state is DeliveryState.QUEUED
    assert s.message(delivered.id).state is DeliveryState.DELIVERED
    assert s.recover_after_restart(now=101.0) == []
    s.close()


def test_every_committed_message_survives_a_killed_process(db_path: Path) -> None:
    # The writer is killed with SIGKILL without closing: each id it printed
    # was printed after its insert returned, so each must be found on disk.
    script = textwrap.dedent(
        f"""
        import json, os, signal, sys
        from softphone.store import Store
        s = Store.open({str(db_path)!r})
        for i in range(20):
            out = s.insert_outgoing("sip:alice@example.com", f"out {{i}}", now=float(i))
            rec, _ = s.insert_incoming("sip:bob@example.org", f"in {{i}}",
                content_type="text/plain", call_id="c", cseq=i, from_tag="t", now=float(i))
            print(json.dumps([out.id, rec.id]), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    acknowledged = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(acknowledged) == 20
    s = Store.open(db_path)
    try:
        for i, (out_id, in_id) in enumerate(acknowledged):
            assert s.message(MessageId(out_id)).body == f"out {i}"
            assert s.message(MessageId(in_id)).body == f"in {i}"
        assert s.count_messages(ALICE) == s.count_messages(BOB) == 20
    finally:
        s.close()


# --- conversations -------------------------------------------------------------------------


def test_conversations_by_last_activity_and_mark_read(store: Store) -> None:
    store.insert_outgoing(ALICE, "1", now=1.0)
    _incoming(store, "2", cseq=1, now=2.0)
    _incoming(store, "3", cseq=2, now=3.0)
    assert [(c.peer, c.unread) for c in store.conversations()] == [(BOB, 2), (ALICE, 0)]
    store.insert_outgoing(ALICE, "4", now=4.0)
    assert [c.peer for c in store.conversations()] == [ALICE, BOB]
    store.mark_read(BOB)
    assert {c.peer: c.unread for c in store.conversations()} == {ALICE: 0, BOB: 0}
    store.mark_read("sip:nobody@example.com")  # unknown peer: nothing to do
    assert len(store.conversations()) == 2


def test_conversation_display_name_kept_when_later_message_has_none(store: Store) -> None:
    store.insert_incoming(
        BOB, "1", content_type=TEXT, call_id="c", cseq=1, from_tag="t", now=1.0, display_name="Bob"
    )
    _incoming(store, "2", cseq=2, now=2.0)
    store.insert_outgoing(BOB, "3", now=3.0)
    [conv] = store.conversations()
    assert conv.display_name == "Bob"


# --- contacts ---------------------------------------------------------------------------------


def test_contacts_add_rename_remove(store: Store) -> None:
    assert store.contacts() == []
    alice = store.add_contact(ALICE, "alice", now=1.0)
    assert alice == ContactRecord(ALICE, "alice", 1.0, False)
    store.add_contact(BOB, "Bob", now=2.0)
    assert [c.aor for c in store.contacts()] == [ALICE, BOB]
    assert store.rename_contact(ALICE, "Zoe").display_name == "Zoe"
    assert [c.display_name for c in store.contacts()] == ["Bob", "Zoe"]
    assert store.contact(ALICE).display_name == "Zoe"
    store.remove_contact(BOB)
    assert [c.aor for c in store.contacts()] == [ALICE]
    with pytest.raises(NotFound):
        store.remove_contact(BOB)
    with pytest.raises(NotFound):
        store.rename_contact(BOB, "x")
    with pytest.raises(NotFound):
        store.contact(BOB)


def test_removing_a_contact_keeps_its_history(store: Store) -> None:
    store.add_contact(ALICE, "Alice", now=1.0)
    store.insert_outgoing(ALICE, "hi", now=2.0)
    store.remove_contact(ALICE)
    assert store.count_messages(ALICE) == 1


def test_block_and_unblock(store: Store) -> None:
    store.add_contact(ALICE, "Alice", now=1.0)
    assert not store.is_blocked(ALICE)
    assert store.set_blocked(ALICE, True, now=2.0).blocked
    assert store.is_blocked(ALICE)
    # Re-adding keeps the flag: blocking is not undone by editing the name.
    assert store.add_contact(ALICE, "Alice B", now=3.0) == ContactRecord(
        ALICE, "Alice B", 1.0, True
    )
    assert not store.set_blocked(ALICE, False, now=4.0).blocked
    assert not store.is_blocked(ALICE)


def test_blocking_a_stranger_adds_them(store: Store) -> None:
    spam = "sip:spam@example.net"
    assert not store.is_blocked(spam)
    store.set_blocked(spam, True, now=5.0)
    assert store.is_blocked(spam)
    assert store.contacts() == [ContactRecord(spam, "", 5.0, True)]


def test_a_block_made_by_another_process_takes_effect_at_once(db_path: Path) -> None:
    # `softphone block` runs in its own process while `softphone listen`
    # keeps its store open: the listener must not answer from a stale set.
    listener = Store.open(db_path)
    other = Store.open(db_path)
    try:
        assert not listener.is_blocked(ALICE)
        other.set_blocked(ALICE, True, now=1.0)
        assert listener.is_blocked(ALICE)
        other.set_blocked(ALICE, False, now=2.0)
        assert not listener.is_blocked(ALICE)
        other.set_blocked(ALICE, True, now=3.0)
        assert listener.is_blocked(ALICE)
        other.remove_contact(ALICE)
        assert not listener.is_blocked(ALICE)
    finally:
        other.close()
        listener.close()


def test_removing_a_blocked_contact_unblocks_it(store: Store) -> None:
    store.set_blocked(ALICE, True, now=1.0)
    assert store.is_blocked(ALICE)
    store.remove_contact(ALICE)
    assert not store.is_blocked(ALICE)


# --- migrations ------------------------------------------------------------------------------

#: The schema as version 1 wrote it, frozen here so a change to the v1 step
#: that breaks existing files is caught.
V1_SCHEMA = [
    """CREATE TABLE conversations (peer TEXT PRIMARY KEY, display_name TEXT NOT NULL DEFAULT '',
       unread INTEGER NOT NULL DEFAULT 0, last_activity REAL NOT NULL)""",
    "CREATE INDEX conversations_by_activity ON conversations (last_activity)",
    """CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
       peer TEXT NOT NULL REFERENCES conversations (peer),
       direction TEXT NOT NULL CHECK (direction IN ('in', 'out')), body TEXT NOT NULL,
       content_type TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
       state TEXT NOT NULL, code INTEGER, reason TEXT NOT NULL DEFAULT '',
       call_id TEXT, cseq INTEGER, from_tag TEXT)""",
    "CREATE INDEX messages_by_peer ON messages (peer, id)",
    "CREATE INDEX messages_by_state ON messages (state, id)",
    """CREATE UNIQUE INDEX messages_remote_id ON messages (peer, call_id, cseq, from_tag)
       WHERE direction = 'in'""",
]


def _make_v1(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    for statement in V1_SCHEMA:
        db.execute(statement)
    db.execute("INSERT INTO conversations VALUES (?, 'Bob', 1, 20.0)", (BOB,))
    db.execute(
        "INSERT INTO messages (peer, direction, body, content_type, created, updated, state,"
        " code, reason, call_id, cseq, from_tag)"
        " VALUES (?, 'out', 'old out', ?, 10.0, 11.0, 'failed', 404, 'Not Found', 'c0', 1, NULL)",
        (BOB, TEXT),
    )
    db.execute(
        "INSERT INTO messages (peer, direction, body, content_type, created, updated, state,"
        " code, reason, call_id, cseq, from_tag)"
        " VALUES (?, 'in', 'old in', ?, 20.0, 20.0, 'delivered', NULL, '', 'c1', 5, 'ft')",
        (BOB, TEXT),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_migrates_a_version_1_database(db_path: Path) -> None:
    _make_v1(db_path)
    s = Store.open(db_path)
    try:
        assert s.schema_version == SCHEMA_VERSION
        [old_out, old_in] = s.messages(BOB)
        assert (old_out.body, old_out.state, old_out.code, old_out.reason) == (
            "old out",
            DeliveryState.FAILED,
            404,
            "Not Found",
        )
        # Failures recorded before v2 came from remote codes.
        assert old_out.local_failure is False
        assert old_out.detail == "failed: 404 Not Found"
        assert old_in.direction is Direction.IN
        # Dedupe still recognises a message stored by version 1.
        again, created = _incoming(s, "old in", call_id="c1", cseq=5, tag="ft")
        assert not created and again == old_in
        # The tables added by v2 work.
        s.add_contact(BOB, "Bob", now=30.0)
        assert s.contacts() == [ContactRecord(BOB, "Bob", 30.0, False)]
        [conv] = s.conversations()
        assert (conv.peer, conv.display_name, conv.unread) == (BOB, "Bob", 1)
    finally:
        s.close()


def test_a_failed_migration_is_rolled_back(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _make_v1(db_path)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("step failed")

    good = len(store_module._MIGRATIONS)
    monkeypatch.setattr(store_module, "_MIGRATIONS", [*store_module._MIGRATIONS, broken])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", good + 1)
    with pytest.raises(sqlite3.OperationalError, match="step failed"):
        Store.open(db_path)

    db = sqlite3.connect(db_path)
    try:
        # Each good step completed in its own transaction; the broken one left no trace.
        assert db.execute("PRAGMA user_version").fetchone()[0] == good
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "half_done" not in tables
        assert "contacts" in tables
    finally:
        db.close()


def test_a_draft_is_kept_replaced_and_removed_when_blank(db_path: Path) -> None:
    s = Store.open(db_path)
    s.set_draft("sip:bob@example.com", "half a thought", now=1.0)
    s.set_draft("sip:bob@example.com", "half a thought\nand more", now=2.0)
    s.set_draft("sip:joe@example.com", "for joe", now=3.0)
    s.close()
    s = Store.open(db_path)
    try:
        assert s.draft("sip:bob@example.com") == "half a thought\nand more"
        assert s.drafts() == {
            "sip:bob@example.com": "half a thought\nand more",
            "sip:joe@example.com": "for joe",
        }
        s.set_draft("sip:joe@example.com", "  ", now=4.0)
        assert s.draft("sip:joe@example.com") == ""
        assert list(s.drafts()) == ["sip:bob@example.com"]
    finally:
        s.close()


# --- group commit ----------------------------------------------------------------


def test_commit_group_is_one_commit_and_a_refused_write_stays_alone(db_path: Path) -> None:
    store = Store.open(db_path)
    try:
        sent = store.insert_outgoing(ALICE, "hi", now=1.0)
        delivered = store.update_state(sent.id, DeliveryState.DELIVERED, code=200, now=2.0)
        commits: list[int] = []
        store.on_commit(commits.append)
        writes = [
            store.incoming_write(
                BOB, "one", content_type=TEXT, call_id="g1", cseq=1, from_tag="a", now=3.0
            ),
            # DELIVERED is final: this write raises, alone.
            store.state_write(delivered.id, DeliveryState.FAILED, code=500, now=3.0),
            store.incoming_write(
                BOB, "two", content_type=TEXT, call_id="g2", cseq=1, from_tag="b", now=3.0
            ),
            # The same identity again in the same group: not a second row.
            store.incoming_write(
                BOB, "one", content_type=TEXT, call_id="g1", cseq=1, from_tag="a", now=3.0
            ),
        ]
        one, refused, two, again = store.commit_group(writes)
        assert commits == [4]
        assert isinstance(refused, InvalidTransition)
        assert (one[1], two[1], again[1]) == (True, True, False)
        assert again[0] == one[0] == store.message(one[0].id)
        assert two[0] == store.message(two[0].id)
        assert store.message(delivered.id).state is DeliveryState.DELIVERED
    finally:
        store.close()
    # On disk for another connection.
    other = Store.open(db_path)
    try:
        assert [m.body for m in other.messages(BOB)] == ["one", "two"]
    finally:
        other.close()


def test_a_group_updates_each_conversation_once_and_leaves_what_one_by_one_would(
    tmp_path: Path,
) -> None:
    # (peer, body, call-id, display name, time): two peers, one of them new,
    # names given late and changed, times out of order, one duplicate.
    arrivals = [
        (BOB, "b1", "c1", "", 5.0),
        (ALICE, "a1", "c2", "Alice", 4.0),
        (BOB, "b2", "c3", "Bob", 7.0),
        (BOB, "b1", "c1", "Someone", 9.0),  # a retransmission: changes nothing
        (BOB, "b3", "c4", "Robert", 6.0),
        (ALICE, "a2", "c5", "", 8.0),
    ]

    def write(store: Store, peer: str, body: str, call_id: str, name: str, now: float) -> Write:
        return store.incoming_write(
            peer,
            body,
            content_type=TEXT,
            call_id=call_id,
            cseq=1,
            from_tag="t",
            now=now,
            display_name=name,
        )

    one_by_one = Store.open(tmp_path / "single.db")
    grouped = Store.open(tmp_path / "group.db")
    try:
        for store in (one_by_one, grouped):
            store.commit_group([write(store, BOB, "old", "c0", "", 1.0)])
        # One by one: a group for each write, committed before the next.
        singles = [one_by_one.commit_group([write(one_by_one, *a)])[0] for a in arrivals]
        statements: list[str] = []
        grouped._db.set_trace_callback(statements.append)
        results = grouped.commit_group([write(grouped, *arrival) for arrival in arrivals])
        grouped._db.set_trace_callback(None)
        assert [created for _, created in results] == [c for _, c in singles]
        assert [r.body for r, _ in results] == ["b1", "a1", "b2", "b1", "b3", "a2"]
        assert grouped.conversations() == one_by_one.conversations()
        assert [
            (c.peer, c.display_name, c.unread, c.last_activity) for c in grouped.conversations()
        ] == [(ALICE, "Alice", 2, 8.0), (BOB, "Bob", 4, 7.0)]
        for peer in (ALICE, BOB):
            assert [m.body for m in grouped.messages(peer)] == [
                m.body for m in one_by_one.messages(peer)
            ]
        # Each peer's conversation: made sure of once, updated once, for the
        # whole group; each message one INSERT; only the duplicate is read.
        words = [" ".join(s.split()[:3]) for s in statements]
        assert words.count("INSERT INTO conversations") == 4
        assert words.count("INSERT INTO messages") == 6
        assert sum(w.startswith("SELECT") for w in words) == 1
    finally:
        one_by_one.close()
        grouped.close()


def test_timeline_events_leave_every_other_write_fully_synced(db_path: Path) -> None:
    s = Store.open(db_path)
    try:
        record = s.insert_outgoing("sip:bob@example.com", "hi", now=1.0)
        s.add_event(record.id, "sent", "MESSAGE to 192.0.2.1:5060 over UDP", now=2.0)
        s.add_event(record.id, "response", "200 OK", code=200, now=3.0)
        assert [(e.kind, e.code, e.at) for e in s.events(record.id)] == [
            ("sent", None, 2.0),
            ("response", 200, 3.0),
        ]
        # A 200 OK is only sent for a message on disk: FULL again after an event.
        assert s._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        s.close()
