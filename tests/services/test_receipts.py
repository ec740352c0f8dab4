"""RFC 5438 receipts through two real Applications on loopback.

Alice's product sends CPIM with a Message-ID; Bob's side plays another
client and sends receipts the way Linphone and Blink write them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from softphone.services.receipts import ReceiptEvent
from softphone.sip import Request, Response
from softphone.sip.cpim import parse_cpim
from softphone.sip.delivery import DeliveryState
from softphone.sip.imdn import IMDN_CONTENT_TYPE, ImdnStatus, NotificationKind, build_imdn
from softphone.store import MessageRecord, Store
from tests.services.apps import BOB, Peer, cpim_wrapped, send_raw, two_peers
from tests.services.scripted import ScriptedPeer, answer

D = DeliveryState


def imdn(message_id: str, kind: NotificationKind, status: ImdnStatus) -> bytes:
    return build_imdn(
        message_id=message_id, kind=kind, status=status, sent_at=1.0, recipient_uri=BOB
    )


async def receipt(
    bob: Peer,
    alice: Peer,
    message_id: str,
    kind: NotificationKind,
    status: ImdnStatus,
    *,
    wrapped: bool = True,
    from_aor: str | None = None,
) -> int:
    doc = imdn(message_id, kind, status)
    if wrapped:
        body = cpim_wrapped(IMDN_CONTENT_TYPE, doc, message_id=f"r-{message_id}-{status.value}")
        response = await send_raw(bob, alice, body, "message/cpim", from_aor=from_aor)
    else:
        response = await send_raw(bob, alice, doc, IMDN_CONTENT_TYPE, from_aor=from_aor)
    return response.status


async def sent_and_delivered(alice: Peer, bob: Peer, text: str) -> MessageRecord:
    record = alice.app.messaging.send(BOB, text)
    await alice.until(lambda: alice.history[record.id][-1].is_final)
    return alice.app.store.message(record.id)


async def test_our_text_goes_as_cpim_with_a_message_id_and_receipts_asked() -> None:
    async with two_peers() as (alice, bob):
        record = await sent_and_delivered(alice, bob, "안녕하세요! 밥")
        assert record.imdn_id is not None
        [got] = bob.inbox
        # Bob's product read the CPIM: the text, and the identity it carried.
        assert (got.body, got.imdn_id, got.disposition) == (
            "안녕하세요! 밥",
            record.imdn_id,
            "display,positive-delivery",
        )


async def test_delivered_then_displayed_gives_read_and_late_delivered_changes_nothing() -> None:
    async with two_peers() as (alice, bob):
        events: list[ReceiptEvent] = []
        alice.app.receipts.on_receipt(events.append)
        record = await sent_and_delivered(alice, bob, "hello")
        mid = record.imdn_id
        assert mid is not None
        # Bob's product itself says "delivered" once the message is stored.
        await alice.until(lambda: len(events) == 1)
        for kind, status in [
            (NotificationKind.DISPLAY, ImdnStatus.DISPLAYED),
            (NotificationKind.DELIVERY, ImdnStatus.DELIVERED),  # late: after displayed
        ]:
            assert await receipt(bob, alice, mid, kind, status) == 200
        await alice.until(lambda: len(events) == 3)
        assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED, D.READ]
        assert [(e.imdn.status, e.applied) for e in events] == [
            (ImdnStatus.DELIVERED, False),  # Bob's: already delivered by the 200
            (ImdnStatus.DISPLAYED, True),
            (ImdnStatus.DELIVERED, False),
        ]
        # Receipts are never chat: nothing new in Alice's history.
        assert alice.inbox == []
        assert [m.id for m in alice.app.store.messages(BOB)] == [record.id]
        assert alice.app.store.message(record.id).detail == "read by the recipient"


async def test_plain_imdn_and_failure_receipt() -> None:
    async with two_peers() as (alice, bob):
        record = await sent_and_delivered(alice, bob, "x")
        assert record.imdn_id is not None
        status = await receipt(
            bob,
            alice,
            record.imdn_id,
            NotificationKind.DELIVERY,
            ImdnStatus.FORBIDDEN,
            wrapped=False,
        )
        assert status == 200
        await alice.until(lambda: alice.history[record.id][-1] is D.FAILED)
        assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED, D.FAILED]
        assert alice.app.store.message(record.id).detail == (
            "failed: the recipient's device refused it (receipt: forbidden)"
        )


async def test_receipt_from_the_wrong_sender_or_for_an_unknown_id_is_ignored() -> None:
    async with two_peers() as (alice, bob):
        events: list[ReceiptEvent] = []
        alice.app.receipts.on_receipt(events.append)
        record = await sent_and_delivered(alice, bob, "x")
        assert record.imdn_id is not None
        # Mallory claims Bob read it.
        assert (
            await receipt(
                bob,
                alice,
                record.imdn_id,
                NotificationKind.DISPLAY,
                ImdnStatus.DISPLAYED,
                from_aor="sip:mallory@example.test",
            )
            == 200
        )
        # A Message-ID we never sent.
        assert (
            await receipt(bob, alice, "never-sent", NotificationKind.DISPLAY, ImdnStatus.DISPLAYED)
            == 200
        )
        # A receipt naming a message Bob sent to Alice (not one of ours).
        await send_raw(
            bob, alice, cpim_wrapped("text/plain", b"hi", message_id="bobs"), "message/cpim"
        )
        assert (
            await receipt(bob, alice, "bobs", NotificationKind.DISPLAY, ImdnStatus.DISPLAYED) == 200
        )
        assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED]
        # Only Bob's product's own "delivered" receipt was taken.
        await alice.until(lambda: len(events) == 1)
        assert [(e.imdn.status, e.applied) for e in events] == [(ImdnStatus.DELIVERED, False)]
        assert [m.body for m in alice.inbox] == ["hi"]


async def test_a_receipt_before_the_200_is_kept_and_applied_after_it() -> None:
    async with two_peers() as (alice, bob):
        # Alice's message goes to a peer that answers only once told to; the
        # receipt comes (from Bob's address) while Alice still waits.
        release = asyncio.Event()

        def script(request: Request) -> list[Response]:
            return [answer(request, 200)] if release.is_set() else []

        held = await ScriptedPeer.start(script)
        try:
            alice.route_to(f"{held.address.host}:{held.address.port}")
            record = alice.app.messaging.send(BOB, "early")
            [request] = (await held.wait_for(1))[:1]
            mid = parse_cpim(request.body).message_id
            assert mid == alice.app.store.message(record.id).imdn_id and mid is not None
            status = await receipt(bob, alice, mid, NotificationKind.DISPLAY, ImdnStatus.DISPLAYED)
            assert status == 200
            assert alice.history[record.id] == [D.QUEUED, D.SENDING]
            release.set()  # the next retransmission gets its 200
            await alice.until(lambda: alice.history[record.id][-1] is D.READ)
            assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED, D.READ]
        finally:
            held.close()


async def test_a_receipt_while_the_200s_state_is_committed_but_not_yet_announced_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Alice's store is a file: its group commits run on their own thread, so
    # for a moment DELIVERED is on disk and not yet announced. A receipt read
    # in that moment must not overtake the state it follows.
    commit = Store._commit
    held = threading.Event()
    release = threading.Event()

    def slow_to_tell(store: Store, db: sqlite3.Connection) -> None:
        commit(store, db)
        if db is store._db or held.is_set():
            return
        states = {row[0] for row in db.execute("SELECT state FROM messages WHERE direction='out'")}
        if "delivered" in states:
            held.set()
            release.wait(10)  # committed; the loop has not heard of it yet

    monkeypatch.setattr(Store, "_commit", slow_to_tell)
    async with two_peers(str(tmp_path / "alice.db")) as (alice, bob):
        told: list[object] = []
        alice.app.messaging.on_message_state(lambda r: told.append(r.state))
        alice.app.receipts.on_receipt(lambda e: told.append((e.imdn.status, e.applied)))
        try:
            record = alice.app.messaging.send(BOB, "hi")
            while not held.is_set():
                await asyncio.sleep(0.01)
            stored = alice.app.store.message(record.id)
            assert stored.state is D.DELIVERED and stored.imdn_id is not None
            mid = stored.imdn_id
            assert (
                await receipt(bob, alice, mid, NotificationKind.DISPLAY, ImdnStatus.DISPLAYED)
                == 200
            )
            assert alice.history[record.id] == [D.QUEUED, D.SENDING]
        finally:
            release.set()
        await alice.until(lambda: alice.history[record.id][-1] is D.READ)
        assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED, D.READ]
        # The state first, then the receipt that moved it on.
        assert told.index(D.DELIVERED) < told.index((ImdnStatus.DISPLAYED, True))


async def test_bob_says_delivered_when_stored_and_displayed_only_when_the_window_says() -> None:
    async with two_peers() as (alice, bob):
        bob_signals: list[object] = []
        bob.app.messaging.on_signal(lambda peer, value: bob_signals.append(value))
        events: list[ReceiptEvent] = []
        alice.app.receipts.on_receipt(events.append)
        record = await sent_and_delivered(alice, bob, "read me")
        await alice.until(lambda: len(events) == 1)
        assert events[0].imdn.status is ImdnStatus.DELIVERED
        assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED]
        # The window reports it in view: one "displayed", never twice.
        [got] = bob.inbox
        assert bob.app.receipts.displayed([got.id]) == 1
        assert bob.app.receipts.displayed([got.id]) == 0
        await alice.until(lambda: alice.history[record.id][-1] is D.READ)
        await bob.app.receipts.drain()
        assert [e.imdn.status for e in events] == [ImdnStatus.DELIVERED, ImdnStatus.DISPLAYED]
        # Alice never answered Bob's receipts with receipts.
        await alice.app.receipts.drain()
        assert bob_signals == []


async def test_no_displayed_receipt_when_the_setting_is_off() -> None:
    async with two_peers(send_read_receipts=False) as (alice, bob):
        events: list[ReceiptEvent] = []
        alice.app.receipts.on_receipt(events.append)
        record = await sent_and_delivered(alice, bob, "x")
        await alice.until(lambda: len(events) == 1)
        assert bob.app.receipts.displayed([m.id for m in bob.inbox]) == 0
        await bob.app.receipts.drain()
        assert alice.history[record.id] == [D.QUEUED, D.SENDING, D.DELIVERED]
        assert [e.imdn.status for e in events] == [ImdnStatus.DELIVERED]


async def test_no_receipt_for_a_message_that_did_not_ask() -> None:
    async with two_peers() as (alice, bob):
        bob_signals: list[object] = []
        bob.app.messaging.on_signal(lambda peer, value: bob_signals.append(value))
        # Plain text asks for nothing; CPIM without Disposition-Notification neither.
        await send_raw(bob, alice, b"plain", "text/plain")
        await send_raw(
            bob, alice, cpim_wrapped("text/plain", b"cpim", message_id="q"), "message/cpim"
        )
        assert [m.body for m in alice.inbox] == ["plain", "cpim"]
        assert alice.app.receipts.displayed([m.id for m in alice.inbox]) == 0
        await alice.app.receipts.drain()
        await bob.app.receipts.drain()
        assert bob_signals == []
