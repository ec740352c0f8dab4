"""The demo started headless: no Qt, just `start_demo` and bob's Application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from softphone.agent import UserAgent
from softphone.app import Application, AppOptions
from softphone.demo import BOB, GREETING, JOE, WELCOME_APP, WELCOME_TEXT, DemoSession, start_demo
from softphone.services.presence import BuddyState, BuddyStatus, Presence
from softphone.sip.auth import DigestClient
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageRecord, Store
from softphone.transport.base import Target, TransportKind

pytestmark = pytest.mark.timeout(30)


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[DemoSession]:
    session = await start_demo(
        tmp_path / "data", joe_interval=(0.4, 0.7), read_delay=0.3, typing_delay=0.3
    )
    try:
        yield session
    finally:
        await session.stop()


async def test_demo_session_describes_bob_and_the_buddies(demo: DemoSession) -> None:
    assert demo.account.aor == "sip:bob@example.com"
    assert demo.account.registrar == demo.registrar_address.sent_by
    assert demo.account.password_env is None
    assert demo.registrar_address.host == "127.0.0.1"
    assert demo.registrar_address.port != 0
    assert demo.buddies == [
        ("sip:alice@example.com", "Alice"),
        ("sip:carol@example.com", "Carol"),
        ("sip:joe@example.com", "Joe"),
    ]
    assert len(demo.password) >= 12
    # Alice and Carol are online from the start.
    assert demo.server.bindings("sip:alice@example.com")
    assert demo.server.bindings("sip:carol@example.com")


async def test_bob_gets_welcome_greeting_echo_and_decline(demo: DemoSession) -> None:
    bob = Application(
        demo.account,
        demo.password,
        Store.open(":memory:"),
        AppOptions(listen_host="127.0.0.1"),
    )
    incoming: list[tuple[str, str]] = []

    def on_added(record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            incoming.append((record.peer, record.body))

    bob.messaging.on_message_added(on_added)
    states: list[DeliveryState] = []
    typing: list[bool] = []
    bob.messaging.on_message_state(
        lambda r: states.append(r.state) if r.peer == "sip:alice@example.com" else None
    )
    bob.typing.on_change(lambda peer, active: typing.append(active))
    await bob.start()
    try:
        assert bob.registration is not None
        assert await bob.registration.wait_registered(5)
        to_alice = bob.messaging.send("sip:alice@example.com", "hello alice")
        to_carol = bob.messaging.send("sip:carol@example.com", "hello carol")
        await wait_for(lambda: len(incoming) >= 3)
        await wait_for(
            lambda: all(bob.store.message(r.id).state.is_final for r in (to_alice, to_carol))
        )
        assert sorted(incoming) == sorted(
            [
                (WELCOME_APP, WELCOME_TEXT),
                ("sip:alice@example.com", GREETING),
                ("sip:alice@example.com", "Echo: hello alice"),
            ]
        )
        alice_record = bob.store.message(to_alice.id)
        carol_record = bob.store.message(to_carol.id)
        # Alice read it (her "displayed" receipt), typed, then answered.
        assert states == [DeliveryState.SENDING, DeliveryState.DELIVERED, DeliveryState.READ]
        assert (alice_record.state, alice_record.code) == (DeliveryState.READ, None)
        assert typing == [True, False]
        assert (carol_record.state, carol_record.code) == (DeliveryState.DECLINED, 603)
    finally:
        await bob.stop()


async def test_joe_comes_and_goes_as_seen_through_reg_event(demo: DemoSession) -> None:
    # Bob's view of Joe through the product's presence service.
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    statuses: list[BuddyStatus] = []

    def on_change(state: BuddyState) -> None:
        if state.status in (BuddyStatus.ONLINE, BuddyStatus.OFFLINE) and (
            not statuses or statuses[-1] is not state.status
        ):
            statuses.append(state.status)

    async def locate_server() -> Target:
        return Target(demo.registrar_address, TransportKind.UDP)

    presence = Presence(agent, demo.account, DigestClient("bob", demo.password), locate_server)
    presence.on_change(on_change)
    presence.watch(JOE)
    presence.start()
    try:
        # Joe starts registered, then his phone goes off and comes back.
        await wait_for(
            lambda: statuses[-3:] == [BuddyStatus.ONLINE, BuddyStatus.OFFLINE, BuddyStatus.ONLINE]
        )
    finally:
        await presence.stop()
        agent.close()
    assert statuses[0] is BuddyStatus.ONLINE
    # Each time Joe's phone came back it was welcomed once more: RFC 3680 §6's
    # welcome, from the product's WelcomeServer.
    assert demo.welcome is not None
    await wait_for(lambda: len([s for s in demo.welcome_steps if s.aor == JOE]) >= 2)
    joe_welcomes = [code for aor, _, code in demo.welcome.sent if aor == JOE]
    assert len(joe_welcomes) >= 2
    assert set(joe_welcomes) == {200}
    greeted = [s.contact for s in demo.welcome_steps if s.step == "message-sent" and s.aor == JOE]
    assert len(greeted) == len(joe_welcomes)


async def test_bob_is_welcomed_again_after_coming_back(demo: DemoSession) -> None:
    # Bob registers (welcome), leaves and comes back (welcome again); that a
    # refresh is never greeted is WelcomeServer's own test.
    bob = Application(
        demo.account,
        demo.password,
        Store.open(":memory:"),
        AppOptions(listen_host="127.0.0.1"),
    )
    welcomes: list[str] = []

    def on_added(record: MessageRecord) -> None:
        if record.direction is Direction.IN and record.peer == WELCOME_APP:
            welcomes.append(record.body)

    bob.messaging.on_message_added(on_added)
    states: list[DeliveryState] = []
    typing: list[bool] = []
    bob.messaging.on_message_state(
        lambda r: states.append(r.state) if r.peer == "sip:alice@example.com" else None
    )
    bob.typing.on_change(lambda peer, active: typing.append(active))
    await bob.start()
    try:
        assert bob.registration is not None
        assert await bob.registration.wait_registered(5)
        await wait_for(lambda: len(welcomes) == 1)
        await bob.registration.stop()
        bob.registration.start()
        assert await bob.registration.wait_registered(5)
        await wait_for(lambda: len(welcomes) == 2)
    finally:
        await bob.stop()
    bob_sent = [code for aor, _, code in demo.welcome.sent if aor == BOB] if demo.welcome else []
    assert welcomes == [WELCOME_TEXT, WELCOME_TEXT]
    assert bob_sent == [200, 200]


async def test_joe_takes_plain_text_only_and_still_gets_the_message(demo: DemoSession) -> None:
    bob = Application(
        demo.account, demo.password, Store.open(":memory:"), AppOptions(listen_host="127.0.0.1")
    )
    states: list[DeliveryState] = []
    bob.messaging.on_message_state(lambda r: states.append(r.state))
    await bob.start()
    try:
        assert bob.registration is not None
        assert await bob.registration.wait_registered(5)
        await wait_for(lambda: bool(demo.server.bindings(JOE)))
        record = bob.messaging.send(JOE, "hello joe")
        await wait_for(lambda: bob.store.message(record.id).state.is_final)
        # CPIM refused with 415, sent again at once as text/plain: one bubble.
        assert states == [DeliveryState.SENDING, DeliveryState.DELIVERED]
        assert bob.store.plain_only_since(JOE) is not None
        # Its details tell the story (challenges left out: digest is not the point).
        codes = [e.code for e in bob.store.events(record.id) if e.kind == "response"]
        assert [code for code in codes if code not in (401, 407)] == [415, 200]
    finally:
        await bob.stop()
