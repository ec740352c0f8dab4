"""Real clients from Debian through Kamailio: baresip (plain text only) and Linphone.

baresip 1.0 takes only text/plain: our CPIM gets 415 and goes again at once
as text/plain (one message, one history row), and its messages reach us.
Linphone (linphonec) speaks CPIM and IMDN: its receipts move our message to
DELIVERED and READ.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.services.receipts import ReceiptEvent
from softphone.sip.delivery import DeliveryState
from softphone.sip.imdn import ImdnStatus, NotificationKind
from tests.interop import harness
from tests.interop.clients import (
    Baresip,
    Linphonec,
    requires_baresip,
    requires_linphonec,
    start_baresip,
    start_linphonec,
)
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess
from tests.interop.phone import Phone

pytestmark = [pytest.mark.interop, harness.requires_kamailio]

D = DeliveryState
ALICE = "sip:alice@example.test"


@pytest.fixture
def kamailio_users() -> dict[str, str]:
    return dict(USERS, dave="dave-secret", linda="linda-secret")


@pytest.fixture
def baresip(tmp_path: Path, kamailio: KamailioProcess) -> Iterator[Baresip]:
    client = start_baresip(tmp_path / "baresip", kamailio, "dave", "dave-secret", ALICE)
    try:
        yield client
    finally:
        client.stop()


@pytest.fixture
def linphone(tmp_path: Path, kamailio: KamailioProcess) -> Iterator[Linphonec]:
    client = start_linphonec(tmp_path / "linphone", kamailio, "linda", "linda-secret")
    try:
        yield client
    finally:
        client.stop()


def alice_phone(kam: KamailioProcess) -> Phone:
    return Phone(
        Account(aor=ALICE, display_name="Alice", registrar=kam.hostport, expires=300),
        USERS["alice"],
    )


@requires_baresip
async def test_baresip_gets_our_text_as_plain_text_and_its_text_reaches_us(
    kamailio: KamailioProcess, baresip: Baresip
) -> None:
    alice = alice_phone(kamailio)
    await alice.app.start()
    try:
        await alice.settled()
        states: list[D] = []
        alice.app.messaging.on_message_state(lambda r: states.append(r.state))
        record = alice.app.messaging.send("sip:dave@example.test", "hello baresip 안녕")
        await alice.wait(lambda: record.id in alice.finals, 15)
        # One message, one row: CPIM refused (415), the same text again as text/plain.
        assert states == [D.SENDING, D.DELIVERED]
        assert [m.body for m in alice.app.store.messages("sip:dave@example.test")] == [
            "hello baresip 안녕"
        ]
        codes = [e.code for e in alice.app.store.events(record.id) if e.kind == "response"]
        assert [c for c in codes if c not in (401, 407)] == [415, 200]
        assert alice.app.store.plain_only_since("sip:dave@example.test") is not None
        baresip.wait_for(f'{ALICE}: "hello baresip 안녕"')
        # The next one goes plain at once.
        second = alice.app.messaging.send("sip:dave@example.test", "second")
        await alice.wait(lambda: second.id in alice.finals, 15)
        codes = [e.code for e in alice.app.store.events(second.id) if e.kind == "response"]
        assert [c for c in codes if c not in (401, 407)] == [200]
        baresip.wait_for(f'{ALICE}: "second"')

        # baresip writes to us.
        baresip.command("/message hi from baresip")
        await alice.wait(lambda: len(alice.inbox) == 1, 15)
        [got] = alice.inbox
        assert (got.peer, got.body, got.content_type) == (
            "sip:dave@example.test",
            "hi from baresip",
            "text/plain",
        )
    finally:
        await alice.app.stop()


@requires_linphonec
async def test_linphone_takes_our_cpim_and_its_delivered_receipt_reaches_our_message(
    kamailio: KamailioProcess, linphone: Linphonec
) -> None:
    alice = alice_phone(kamailio)
    await alice.app.start()
    try:
        await alice.settled()
        events: list[ReceiptEvent] = []
        alice.app.receipts.on_receipt(events.append)
        record = alice.app.messaging.send("sip:linda@example.test", "hello linphone 안녕")
        await alice.wait(lambda: record.id in alice.finals, 15)
        # Linphone read our CPIM: it shows the text, not the wrapper.
        linphone.wait_for("Message received from sip:alice@example.test: hello linphone 안녕")
        # Its IMDN (RFC 5438) names our Message-ID and comes from Linda.
        await alice.wait(lambda: len(events) == 1, 15)
        [event] = events
        sent_id = alice.app.store.message(record.id).imdn_id
        assert sent_id is not None
        assert (event.message.id, event.imdn.message_id) == (record.id, sent_id)
        assert (event.imdn.kind, event.imdn.status) == (
            NotificationKind.DELIVERY,
            ImdnStatus.DELIVERED,
        )
        assert event.message.peer == "sip:linda@example.test"
        stored = alice.app.store.message(record.id)
        assert stored.state is D.DELIVERED
        steps = [e.kind for e in alice.app.store.events(record.id)]
        assert steps[-1] == "receipt"
        # Linphone writes to us; its text arrives (and is never a receipt).
        linphone.command("chat sip:alice@example.test hi from linphone")
        await alice.wait(lambda: len(alice.inbox) == 1, 15)
        assert [(m.peer, m.body) for m in alice.inbox] == [
            ("sip:linda@example.test", "hi from linphone")
        ]
    finally:
        await alice.app.stop()
