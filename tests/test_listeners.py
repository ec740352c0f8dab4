"""`Listeners`: every callback is told, whatever another one does."""

from __future__ import annotations

import logging

import pytest

from softphone.listeners import Listeners


def test_every_callback_runs_in_order_even_after_one_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[tuple[str, str, int]] = []
    listeners: Listeners[[str, int]] = Listeners("typing")

    def broken(peer: str, count: int) -> None:
        raise RuntimeError("a bug in one listener")

    listeners.add(lambda peer, count: heard.append(("first", peer, count)))
    listeners.add(broken)
    listeners.add(lambda peer, count: heard.append(("last", peer, count)))
    with caplog.at_level(logging.ERROR):
        listeners("sip:bob@example.com", 2)
    assert heard == [("first", "sip:bob@example.com", 2), ("last", "sip:bob@example.com", 2)]
    assert [r.getMessage() for r in caplog.records] == ["typing callback failed"]
    assert caplog.records[0].exc_info is not None


def test_added_or_removed_while_calling_takes_effect_next_time() -> None:
    heard: list[str] = []
    listeners: Listeners[[str]] = Listeners("status")

    def late(text: str) -> None:
        heard.append("late " + text)

    def first(text: str) -> None:
        heard.append("first " + text)
        listeners.add(late)
        listeners.remove(first)

    listeners.add(first)
    listeners("one")
    listeners("two")
    assert heard == ["first one", "late two"]
    assert len(listeners) == 1 and late in listeners and first not in listeners


def test_removing_what_was_never_added_is_harmless() -> None:
    listeners: Listeners[[int]] = Listeners("commit")
    listeners.remove(print)
    assert not listeners
    listeners(3)  # nobody to tell
