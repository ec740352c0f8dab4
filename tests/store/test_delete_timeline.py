"""Deleting a message, or a conversation, takes its timeline with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.store import NotFound, Store

BOB = "sip:bob@example.test"


def test_a_message_with_a_timeline_can_be_deleted(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "alice.db")
    kept = store.insert_outgoing(BOB, "kept", now=1.0)
    gone = store.insert_outgoing(BOB, "gone", now=2.0)
    for record in (kept, gone):
        store.add_event(record.id, "queued", "written and stored, waiting to be sent", now=3.0)
    store.delete_message(gone.id)
    with pytest.raises(NotFound):
        store.message(gone.id)
    assert store.events(gone.id) == []
    assert [e.kind for e in store.events(kept.id)] == ["queued"]
    store.delete_conversation(BOB)
    assert store.messages(BOB) == []
    assert store.events(kept.id) == []
    store.close()
