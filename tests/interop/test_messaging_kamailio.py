"""MESSAGE through a real Kamailio: delivery states with the codes Kamailio sends.

Observed with Kamailio 5.6.3 and `tests/interop/kamailio/kamailio.cfg`:
every MESSAGE is challenged with 407 first; a registered callee's 200 is
relayed; an unknown user gets 404; a known user with no binding gets 202
from msilo and the message when it registers; a callee's 603 and 202 are
relayed; a callee that never answers gets Kamailio's own 408 after its
fr_timer (5 s), long before our timer F (32 s), so the failure is remote.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.sip.auth import parse_credentials
from softphone.sip.cpim import parse_cpim
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageRecord
from softphone.trace import Direction as TraceDirection
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess, SippProcess, run_sipp
from tests.interop.test_registration_kamailio import Client, running

pytestmark = [pytest.mark.interop, harness.requires_kamailio]

D = DeliveryState
KOREAN = "안녕하세요! 밥"


class Chat:
    """Outgoing state histories and the inbox of one client."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.history: dict[int, list[tuple[DeliveryState, int | None, str]]] = {}
        self.inbox: list[MessageRecord] = []
        self.new_mail = asyncio.Event()
        messaging = client.app.messaging
        messaging.on_message_added(self._added)
        messaging.on_message_state(self._changed)

    def _added(self, record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            self.inbox.append(record)
            self.new_mail.set()
        else:
            self.history[record.id] = [(record.state, record.code, record.reason)]

    def _changed(self, record: MessageRecord) -> None:
        self.history.setdefault(record.id, []).append((record.state, record.code, record.reason))

    async def send(self, to: str, text: str, *, timeout: float = 15.0) -> MessageRecord:
        """Send and wait for the final state; return the stored record."""
        messaging = self.client.app.messaging
        record = messaging.send(to, text)
        async with asyncio.timeout(timeout):
            while not self.client.app.store.message(record.id).state.is_final:
                await asyncio.sleep(0.02)
        return self.client.app.store.message(record.id)

    def states(self, record: MessageRecord) -> list[DeliveryState]:
        return [state for state, _, _ in self.history[record.id]]

    async def wait_inbox(self, count: int, *, timeout: float = 10.0) -> list[MessageRecord]:
        async with asyncio.timeout(timeout):
            while len(self.inbox) < count:
                self.new_mail.clear()
                await self.new_mail.wait()
        return list(self.inbox)


@pytest.fixture
async def alice(kamailio: KamailioProcess) -> AsyncIterator[Chat]:
    async with running(Client(kamailio, "alice")) as client:
        await client.registered()
        yield Chat(client)


def register_sipp(kam: KamailioProcess, tmp_path: Path, user: str, contact_port: int) -> None:
    """Bind *user* to a SIPp UAS at *contact_port* (SIPp registers with digest)."""
    result = run_sipp(
        "uac_register_auth.xml",
        tmp_path / "sipp",
        remote=kam.hostport,
        service=user,
        auth=(user, USERS[user]),
        keys={"contact_port": str(contact_port), "expires": "60"},
        wait=10,
    )
    assert result.final_statuses() == [401, 200], result.describe()


async def test_alice_to_bob_and_back_delivered(kamailio: KamailioProcess, alice: Chat) -> None:
    async with running(Client(kamailio, "bob")) as bob_client:
        await bob_client.registered()
        bob = Chat(bob_client)
        sent = await alice.send("sip:bob@example.test", KOREAN)
        assert alice.history[sent.id] == [
            (D.QUEUED, None, ""),
            (D.SENDING, None, ""),
            (D.DELIVERED, 200, "OK"),
        ]
        # RFC 3261 22.3: the proxy challenged first; the challenge never showed as a state.
        assert alice.client.codes("MESSAGE") == [407, 200]
        [received] = await bob.wait_inbox(1)
        assert (received.peer, received.body) == ("sip:alice@example.test", KOREAN)
        assert received.content_type.lower() == "text/plain;charset=utf-8"

        reply = await bob.send("sip:alice@example.test", "잘 지냈어요? 앨리스")
        assert bob.states(reply) == [D.QUEUED, D.SENDING, D.DELIVERED]
        assert (reply.code, reply.reason) == (200, "OK")
        [back] = await alice.wait_inbox(1)
        assert (back.peer, back.body) == ("sip:bob@example.test", "잘 지냈어요? 앨리스")


async def test_second_message_carries_credentials_and_needs_no_challenge(
    kamailio: KamailioProcess, alice: Chat
) -> None:
    # RFC 3261 22.3 / RFC 7616 3.4: after the first 407, the next MESSAGE
    # answers the proxy's nonce pre-emptively with the next nonce count.
    sent_credentials: list[tuple[str, str | None]] = []
    alice.client.app.outbound.on_attempt(
        lambda request, _target: sent_credentials.append(
            (request.method, request.headers.get("Proxy-Authorization"))
        )
    )
    async with running(Client(kamailio, "bob")) as bob_client:
        await bob_client.registered()
        first = await alice.send("sip:bob@example.test", "one")
        second = await alice.send("sip:bob@example.test", "two")
        third = await alice.send("sip:bob@example.test", "three")
    assert [alice.states(m) for m in (first, second, third)] == [
        [D.QUEUED, D.SENDING, D.DELIVERED]
    ] * 3
    assert alice.client.codes("MESSAGE") == [407, 200, 200, 200]
    messages = [value for method, value in sent_credentials if method == "MESSAGE"]
    assert messages[0] is None
    assert [parse_credentials(v).param("nc") for v in messages[1:] if v] == [
        "00000001",
        "00000002",
        "00000003",
    ]


async def test_unknown_user_fails_with_404(alice: Chat) -> None:
    sent = await alice.send("sip:nobody@example.test", "anyone?")
    assert alice.history[sent.id][-1] == (D.FAILED, 404, "Not Found")
    assert alice.states(sent) == [D.QUEUED, D.SENDING, D.FAILED]
    assert not sent.local_failure
    assert sent.detail == "failed: 404 Not Found"


async def test_offline_user_gets_it_through_msilo(kamailio: KamailioProcess, alice: Chat) -> None:
    sent = await alice.send("sip:carol@example.test", "while you were out")
    assert alice.history[sent.id] == [
        (D.QUEUED, None, ""),
        (D.SENDING, None, ""),
        (D.ACCEPTED, 202, "Accepted"),
    ]
    async with running(Client(kamailio, "carol")) as carol_client:
        carol = Chat(carol_client)
        await carol_client.registered()
        [stored] = await carol.wait_inbox(1)
        # msilo keeps the original From and body (a new Call-ID, a Date header).
        assert (stored.peer, stored.body) == ("sip:alice@example.test", "while you were out")


async def test_queued_before_registration_then_delivered(kamailio: KamailioProcess) -> None:
    async with running(Client(kamailio, "bob")) as bob_client:
        await bob_client.registered()
        bob = Chat(bob_client)
        client = Client(kamailio, "alice")
        alice = Chat(client)
        await client.app.start()
        try:
            # Written before the REGISTER is answered: it waits, then goes.
            assert not client.app.is_ready()
            sent = await alice.send("sip:bob@example.test", "as soon as I am online")
            assert alice.states(sent) == [D.QUEUED, D.SENDING, D.DELIVERED]
            # Nothing went out before the registrar said 200.
            assert client.responses.index(("REGISTER", 200)) < client.responses.index(
                ("MESSAGE", 407)
            )
        finally:
            await client.app.stop()
        assert [m.body for m in await bob.wait_inbox(1)] == ["as soon as I am online"]


async def test_body_over_1300_bytes_goes_over_tcp(kamailio: KamailioProcess, alice: Chat) -> None:
    async with running(Client(kamailio, "bob")) as bob_client:
        await bob_client.registered()
        bob = Chat(bob_client)
        big = "한" * 500  # 1500 bytes of UTF-8
        kinds: list[str] = []
        # Our requests only: bob's delivered receipt comes back as a small
        # MESSAGE over UDP.
        alice.client.app.agent.add_observer(
            lambda e: (
                kinds.append(e.transport.value)
                if e.data.startswith(b"MESSAGE ") and e.direction is TraceDirection.OUT
                else None
            )
        )
        sent = await alice.send("sip:bob@example.test", big)
        assert (sent.state, sent.code) == (D.DELIVERED, 200)
        assert set(kinds) == {"tcp"}
        assert [m.body for m in await bob.wait_inbox(1)] == [big]


@pytest.mark.parametrize(
    ("scenario", "final"),
    [
        ("uas_message_603.xml", (D.DECLINED, 603, "Decline")),
        ("uas_message_202.xml", (D.ACCEPTED, 202, "Accepted")),
    ],
)
async def test_sipp_callee_answer_is_kept(
    kamailio: KamailioProcess,
    alice: Chat,
    tmp_path: Path,
    scenario: str,
    final: tuple[DeliveryState, int, str],
) -> None:
    uas: SippProcess = harness.start_sipp_uas(scenario, tmp_path / "sipp", timeout=30)
    try:
        register_sipp(kamailio, tmp_path, "bob", uas.port)
        sent = await alice.send("sip:bob@example.test", "hello sipp")
        assert alice.history[sent.id] == [(D.QUEUED, None, ""), (D.SENDING, None, ""), final]
        # Our text goes as CPIM (RFC 3862) with an RFC 5438 Message-ID.
        got = uas.wait_for("MESSAGE", timeout=5)
        assert [m.header("Content-Type") for m in got] == ["message/cpim"]
        assert [parse_cpim(m.body.encode()).body.strip() for m in got] == [b"hello sipp"]
    finally:
        uas.stop()


async def test_silent_callee_gets_kamailios_408(
    kamailio: KamailioProcess, alice: Chat, tmp_path: Path
) -> None:
    uas = harness.start_sipp_uas("uas_silent.xml", tmp_path / "sipp", timeout=30)
    try:
        register_sipp(kamailio, tmp_path, "bob", uas.port)
        sent = await alice.send("sip:bob@example.test", "are you there?", timeout=20)
        # Kamailio's fr_timer (5 s) ends it with its own 408: a remote code,
        # not our timer F (which would be a local failure with no code).
        assert alice.states(sent) == [D.QUEUED, D.SENDING, D.FAILED]
        assert (sent.code, sent.reason, sent.local_failure) == (408, "Request Timeout", False)
    finally:
        uas.stop()


async def test_through_an_outbound_proxy(kamailio: KamailioProcess) -> None:
    async with running(Client(kamailio, "bob")) as bob_client:
        await bob_client.registered()
        bob = Chat(bob_client)
        routes: list[str] = []
        client = Client(kamailio, "alice", proxy=True)
        client.app.agent.add_observer(
            lambda e: (
                routes.append(e.text.split("\r\n", 1)[0] + " | " + _route(e.text))
                # Ours only: bob's delivered receipt comes in as a MESSAGE.
                if e.data.startswith((b"REGISTER ", b"MESSAGE "))
                and e.direction is TraceDirection.OUT
                else None
            )
        )
        async with running(client):
            await client.registered()
            alice = Chat(client)
            sent = await alice.send("sip:bob@example.test", "via the proxy")
            assert (sent.state, sent.code) == (D.DELIVERED, 200)
        assert [m.body for m in await bob.wait_inbox(1)] == ["via the proxy"]
        # RFC 3261 8.1.2: a preloaded loose Route names the proxy on every request.
        assert routes and all(r.endswith(f"<sip:{kamailio.hostport};lr>") for r in routes)


def _route(text: str) -> str:
    for line in text.split("\r\n"):
        if line.lower().startswith("route:"):
            return line.split(":", 1)[1].strip()
    return ""
