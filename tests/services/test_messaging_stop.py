"""`Messaging.stop()`: quitting cuts deliveries off where they are, and loses none.

Alice sends to a peer that never answers (a bound UDP socket that reads
nothing: no "port unreachable" either), and to a second peer whose first
state write is still on its way to the disk when the app quits. Stopped
before the transports close, nothing fails as the network's fault and
nothing is logged as an error: what was on the wire is failed as closed
before the answer (and resent when the policy resends), what was not yet
sent stays queued for the next start.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from softphone.resend_policy import ResendPolicy
from softphone.sip.delivery import DeliveryState, FailureKind
from softphone.store import Store
from softphone.transport.base import Address, Target, TransportKind
from tests.services.test_messaging import ALICE, Side

D = DeliveryState


@pytest.mark.parametrize("automatic", [True, False])
async def test_stop_cuts_deliveries_off_and_the_next_start_finds_them(
    automatic: bool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    path = tmp_path / "history.sqlite3"
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    alice = Side(ALICE, Store.open(path))
    # False: `softphone send`, one attempt and no resend.
    alice.messaging.resend_policy = ResendPolicy(automatic=automatic)
    try:
        alice.target = Target(Address("127.0.0.1", silent.getsockname()[1]), TransportKind.UDP)
        await alice.start(TransportKind.UDP)
        sent = alice.messaging.send("sip:bob@example.test", "on the wire")
        behind = alice.messaging.send("sip:bob@example.test", "behind it")
        while alice.states(sent)[-1] is not D.SENDING:
            await asyncio.sleep(0.01)
        # Its SENDING is submitted, not yet committed, when the app quits.
        settling = alice.messaging.send("sip:carol@example.test", "settling")
        while not alice.messaging.settling(settling.id):
            await asyncio.sleep(0)  # one turn: its task starts and submits SENDING
        await alice.messaging.stop()
        alice.agent.close()
        # Typed as the window closes: kept, not sent.
        late = alice.messaging.send("sip:bob@example.test", "typed at quit")
        await alice.messaging.drain()
    finally:
        alice.close()
        silent.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    closed = FailureKind.CLOSED_BEFORE_ANSWER.reason
    stored = Store.open(path)
    try:
        on_wire = [stored.message(m.id) for m in (sent, settling)]
        # Whether they arrived is unknown: failed as cut off, and resent
        # (with the same identity) when the policy resends.
        assert [(r.state, r.reason, r.local_failure) for r in on_wire] == [
            (D.FAILED, closed, True)
        ] * 2
        assert all((r.resend_at is not None) is automatic for r in on_wire)
        # Never sent: queued for the next start, or failed for good by a
        # one-shot command (that run reported it; no later run sends it).
        waiting = stored.message(behind.id)
        if automatic:
            assert waiting.state is D.QUEUED
        else:
            assert (waiting.state, waiting.reason, waiting.resend_at) == (D.FAILED, closed, None)
        assert stored.message(late.id).state is D.QUEUED
    finally:
        stored.close()

    again = Side(ALICE, Store.open(path))
    try:
        assert again.messaging.start() == []  # nothing left SENDING
        queued = [behind.id, late.id] if automatic else [late.id]
        assert [r.id for r in again.store.pending_outgoing()] == queued
    finally:
        again.close()
