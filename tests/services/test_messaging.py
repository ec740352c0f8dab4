"""Messaging between two in-process user agents, and against a scripted peer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.services.messaging import CONTENT_TYPE, UDP_BODY_LIMIT, Messaging
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, parse
from softphone.sip.auth import DigestClient
from softphone.sip.delivery import DeliveryState, FailureKind, failure_reason
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, MessageRecord, Store
from softphone.trace import TraceEntry
from softphone.transport.base import Address, Target, TransportKind
from tests.services.scripted import DigestGate, Script, ScriptedPeer, answer

D = DeliveryState
ALICE = Account(aor="sip:alice@example.test", display_name="Alice")
BOB = Account(aor="sip:bob@example.test")


async def _never_located(_peer: str) -> Target:
    raise AssertionError("this test sends nothing")


KOREAN = "안녕하세요! 밥"


class Side:
    """One user: an agent, a store and the messaging service."""

    def __init__(self, account: Account, store: Store | None = None) -> None:
        self.account = account
        self.agent = UserAgent(timers=TimerConfig(t1=0.01))
        self.store = store or Store.open(":memory:")
        self.target: Target | None = None
        self.ready = True
        self.history: dict[int, list[tuple[DeliveryState, int | None, str]]] = {}
        self.inbox: list[MessageRecord] = []

        async def locate(_peer: str) -> Target:
            assert self.target is not None
            return self.target

        self.messaging = Messaging(
            self.agent,
            account,
            self.store,
            DigestClient(account.username, "secret"),
            locate,
            is_ready=lambda: self.ready,
        )
        self.messaging.on_message_added(self._added)
        self.messaging.on_message_state(self._changed)

    def _added(self, record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            self.inbox.append(record)
        else:
            self.history[record.id] = [(record.state, record.code, record.reason)]

    def _changed(self, record: MessageRecord) -> None:
        self.history.setdefault(record.id, []).append((record.state, record.code, record.reason))

    def states(self, record: MessageRecord) -> list[DeliveryState]:
        return [state for state, _, _ in self.history[record.id]]

    async def start(self, *kinds: TransportKind) -> None:
        port = 0
        for kind in kinds or (TransportKind.UDP, TransportKind.TCP):
            # TCP on the UDP port, as a server does: one host:port, two transports.
            port = (await self.agent.listen(kind, "127.0.0.1", port)).local.port
        self.messaging.start()

    def close(self) -> None:
        self.agent.close()
        self.store.close()


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Side, Side]]:
    alice, bob = Side(ALICE), Side(BOB)
    await alice.start()
    await bob.start()
    alice.target = Target(bob.agent.local_address(TransportKind.UDP), TransportKind.UDP)
    yield alice, bob
    alice.close()
    bob.close()


@pytest.fixture
async def peers() -> AsyncIterator[list[ScriptedPeer]]:
    started: list[ScriptedPeer] = []
    yield started
    for peer in started:
        peer.close()


async def scripted(alice: Side, peers: list[ScriptedPeer], script: Script) -> ScriptedPeer:
    peer = await ScriptedPeer.start(script)
    peers.append(peer)
    alice.target = Target(peer.address, TransportKind.UDP)
    return peer


async def test_delivered_with_korean_text(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    record = alice.messaging.send("sip:bob@example.test", KOREAN)
    await alice.messaging.drain()
    assert alice.history[record.id] == [
        (D.QUEUED, None, ""),
        (D.SENDING, None, ""),
        (D.DELIVERED, 200, "OK"),
    ]
    assert [(m.peer, m.body, m.content_type) for m in bob.inbox] == [
        ("sip:alice@example.test", KOREAN, CONTENT_TYPE)
    ]
    stored = bob.store.messages("sip:alice@example.test")
    assert [m.body for m in stored] == [KOREAN]
    assert alice.store.message(record.id).state is D.DELIVERED


async def test_digest_retry_stays_sending(
    pair: tuple[Side, Side], peers: list[ScriptedPeer]
) -> None:
    alice, _ = pair
    gate = DigestGate("secret", status=407)
    seen_while_challenging: list[DeliveryState] = []
    record_id: list[int] = []

    def script(request: Request) -> list[Response]:
        refused = gate.check(request)
        if refused is not None:
            seen_while_challenging.append(alice.store.message(record_id[0]).state)  # type: ignore[arg-type]
            return [refused]
        return [answer(request, 200)]

    peer = await scripted(alice, peers, script)
    alice.ready = False
    record = alice.messaging.send("bob@example.test", "hi")
    record_id.append(record.id)
    alice.ready = True
    alice.messaging.flush()
    await alice.messaging.drain()
    assert seen_while_challenging == [D.SENDING]
    assert alice.states(record) == [D.QUEUED, D.SENDING, D.DELIVERED]
    assert [r.headers.get("Proxy-Authorization") is not None for r in peer.requests] == [
        False,
        True,
    ]
    first, second = peer.requests
    assert first.call_id == second.call_id and second.cseq.seq == first.cseq.seq + 1
    assert first.headers.get("Content-Type") == "text/plain;charset=UTF-8"


async def test_one_final_state_when_503_is_followed_by_401(
    pair: tuple[Side, Side], peers: list[ScriptedPeer]
) -> None:
    """pjsip/pjproject#2489: a 503 and then a 401 for one message gave two finals."""
    alice, _ = pair

    def script(request: Request) -> list[Response]:
        challenge = ("WWW-Authenticate", 'Digest realm="example.test",nonce="abc",qop="auth"')
        return [answer(request, 503), answer(request, 401, challenge)]

    peer = await scripted(alice, peers, script)
    record = alice.messaging.send("bob@example.test", "hi")
    await alice.messaging.drain()
    assert alice.history[record.id] == [
        (D.QUEUED, None, ""),
        (D.SENDING, None, ""),
        (D.FAILED, 503, "Service Unavailable"),
    ]
    assert len(peer.requests) == 1  # the stray 401 was not answered


async def test_one_final_state_across_a_challenge_then_503(
    pair: tuple[Side, Side], peers: list[ScriptedPeer]
) -> None:
    alice, _ = pair
    gate = DigestGate("secret")

    def script(request: Request) -> list[Response]:
        refused = gate.check(request)
        if refused is not None:
            return [refused]
        # A stray 401 after the final 503 must change nothing.
        return [answer(request, 503, ("Retry-After", "30")), answer(request, 401)]

    peer = await scripted(alice, peers, script)
    record = alice.messaging.send("bob@example.test", "hi")
    await alice.messaging.drain()
    assert alice.states(record) == [D.QUEUED, D.SENDING, D.FAILED]
    assert alice.store.message(record.id).code == 503
    assert len(peer.requests) == 2


@pytest.mark.parametrize(
    ("status", "state"),
    [(202, D.ACCEPTED), (603, D.DECLINED), (404, D.FAILED), (480, D.FAILED)],
)
async def test_final_code_and_reason_are_kept(
    pair: tuple[Side, Side], peers: list[ScriptedPeer], status: int, state: DeliveryState
) -> None:
    alice, _ = pair
    await scripted(alice, peers, lambda request: [answer(request, status)])
    record = alice.messaging.send("bob@example.test", "hi")
    await alice.messaging.drain()
    final = alice.store.message(record.id)
    assert alice.states(record) == [D.QUEUED, D.SENDING, state]
    assert (final.code, final.local_failure) == (status, False)
    assert final.reason and final.detail.endswith(f"{status} {final.reason}")


async def test_timer_f_is_a_local_failure(
    pair: tuple[Side, Side], peers: list[ScriptedPeer]
) -> None:
    alice, _ = pair
    peer = await scripted(alice, peers, lambda request: [])
    record = alice.messaging.send("bob@example.test", "anyone?")
    await alice.messaging.drain()
    final = alice.store.message(record.id)
    assert alice.states(record) == [D.QUEUED, D.SENDING, D.FAILED]
    # Never an invented 408: no code, and the failure is marked local.
    assert (final.code, final.local_failure) == (None, True)
    # The sentence states the real timer F of this agent (64*T1).
    assert final.reason == failure_reason(
        FailureKind.TIMEOUT, timeout=alice.messaging._agent.timers.timeout
    )
    assert final.reason.endswith(f"after {64 * alice.messaging._agent.timers.t1:g} s")
    assert len(peer.requests) > 1  # retransmitted over UDP (timer E) before giving up


async def test_queued_while_offline_then_sent(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    alice.ready = False
    first = alice.messaging.send("bob@example.test", "one")
    second = alice.messaging.send("bob@example.test", "two")
    await alice.messaging.drain()
    assert alice.states(first) == [D.QUEUED]
    assert bob.inbox == []
    alice.ready = True
    alice.messaging.flush()
    await alice.messaging.drain()
    assert alice.states(first) == alice.states(second) == [D.QUEUED, D.SENDING, D.DELIVERED]
    assert [m.body for m in bob.inbox] == ["one", "two"]  # in the order written


async def test_recovery_after_restart(tmp_path: Path, pair: tuple[Side, Side]) -> None:
    _, bob = pair
    path = tmp_path / "history.sqlite3"
    crashed = Store.open(path)
    in_flight = crashed.insert_outgoing("sip:bob@example.test", "was on the wire", now=1.0)
    crashed.update_state(in_flight.id, D.SENDING, now=2.0)
    waiting = crashed.insert_outgoing("sip:bob@example.test", "written offline", now=3.0)
    crashed.close()

    alice = Side(ALICE, Store.open(path))
    try:
        alice.target = Target(bob.agent.local_address(TransportKind.UDP), TransportKind.UDP)
        await alice.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
        recovered = alice.messaging.start()
        assert [(r.id, r.state, r.reason, r.local_failure) for r in recovered] == [
            (in_flight.id, D.FAILED, "closed before the server answered", True)
        ]
        alice.messaging.flush()
        await alice.messaging.drain()
        assert alice.states(in_flight) == [D.FAILED]  # not sent again blindly
        assert alice.states(waiting) == [D.SENDING, D.DELIVERED]
        assert [m.body for m in bob.inbox] == ["written offline"]
        # The user may retry the uncertain one: same id, a new attempt.
        alice.messaging.retry(in_flight.id)
        await alice.messaging.drain()
        assert alice.states(in_flight) == [D.FAILED, D.QUEUED, D.SENDING, D.DELIVERED]
    finally:
        alice.close()


def _kinds_seen(agent: UserAgent) -> list[TransportKind]:
    # The transport each MESSAGE came over, once per transport: a UDP
    # retransmission (Timer A, when a loaded machine delays the 200) is the
    # same datagram again, not another message.
    kinds: list[TransportKind] = []
    seen: set[tuple[TransportKind, bytes]] = set()

    def observe(entry: TraceEntry) -> None:
        if entry.data.startswith(b"MESSAGE ") and (entry.transport, entry.data) not in seen:
            seen.add((entry.transport, entry.data))
            kinds.append(entry.transport)

    agent.add_observer(observe)
    return kinds


async def test_body_over_1300_bytes_moves_to_tcp(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    arrived = _kinds_seen(bob.agent)
    exact = "a" * UDP_BODY_LIMIT
    # 434 Hangul syllables are 1302 bytes in UTF-8: the limit counts bytes.
    big = "한" * 434
    small_record = alice.messaging.send("bob@example.test", exact)
    await alice.messaging.drain()
    big_record = alice.messaging.send("bob@example.test", big)
    await alice.messaging.drain()
    assert alice.states(small_record) == alice.states(big_record)
    assert alice.states(big_record) == [D.QUEUED, D.SENDING, D.DELIVERED]
    assert arrived == [TransportKind.UDP, TransportKind.TCP]
    assert [m.body for m in bob.inbox] == [exact, big]


async def test_body_over_1300_bytes_refused_without_tcp(pair: tuple[Side, Side]) -> None:
    _, bob = pair
    alice = Side(ALICE)
    try:
        await alice.start(TransportKind.UDP)
        alice.target = Target(bob.agent.local_address(TransportKind.UDP), TransportKind.UDP)
        record = alice.messaging.send("bob@example.test", "x" * (UDP_BODY_LIMIT + 1))
        await alice.messaging.drain()
        final = alice.store.message(record.id)
        assert alice.states(record) == [D.QUEUED, D.FAILED]
        assert (final.code, final.local_failure) == (None, True)
        assert final.reason == "message too large to send over UDP (more than 1300 bytes)"
        assert bob.inbox == []
    finally:
        alice.close()


# --- incoming -------------------------------------------------------------------


def raw_message(
    to: Address,
    *,
    call_id: str = "same-call-id@stack",
    cseq: int = 1,
    from_tag: str = "tag-1",
    body: bytes = b"hello",
    content_type: str = "text/plain;charset=UTF-8",
) -> Request:
    headers = Headers()
    headers.add("From", str(NameAddr(SipUri.parse("sip:carol@example.test")).with_tag(from_tag)))
    headers.add("To", "<sip:bob@example.test>")
    headers.add("Call-ID", call_id)
    headers.add("CSeq", f"{cseq} MESSAGE")
    headers.add("Content-Type", content_type)
    uri = SipUri.parse(f"sip:bob@{to.sent_by}")
    return Request(method="MESSAGE", uri=uri, headers=headers, body=body)


async def test_dedupe_on_call_id_cseq_and_from_tag(pair: tuple[Side, Side]) -> None:
    """liblinphone#198: a stack reusing one Call-ID must not lose messages."""
    alice, bob = pair
    to = bob.agent.local_address(TransportKind.UDP)
    target = Target(to, TransportKind.UDP)
    statuses = []
    for cseq, tag, body in [
        (1, "tag-1", b"first"),
        (2, "tag-1", b"second, same Call-ID"),
        (2, "tag-1", b"second, a UAC retry with a new branch"),
        (2, "tag-2", b"same Call-ID and CSeq, another From tag"),
    ]:
        response = await alice.agent.request(
            raw_message(to, cseq=cseq, from_tag=tag, body=body), target
        )
        statuses.append(response.status)
    assert statuses == [200, 200, 200, 200]
    assert [m.body for m in bob.inbox] == [
        "first",
        "second, same Call-ID",
        "same Call-ID and CSeq, another From tag",
    ]
    assert bob.store.count_messages("sip:carol@example.test") == 3


async def test_unsupported_content_type_gets_415_with_accept(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    to = bob.agent.local_address(TransportKind.UDP)
    request = raw_message(to, body=b"{}", content_type="application/json")
    response = await alice.agent.request(request, Target(to, TransportKind.UDP))
    assert (response.status, response.headers.get("Accept")) == (
        415,
        "text/plain, text/html, message/cpim, message/imdn+xml, application/im-iscomposing+xml",
    )
    assert bob.inbox == [] and bob.store.count_messages("sip:carol@example.test") == 0


async def test_blocked_sender_gets_603(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    bob.store.set_blocked("sip:carol@example.test", True, now=1.0)
    to = bob.agent.local_address(TransportKind.UDP)
    response = await alice.agent.request(raw_message(to), Target(to, TransportKind.UDP))
    assert response.status == 603
    assert bob.inbox == [] and bob.store.count_messages("sip:carol@example.test") == 0


async def test_never_200_when_not_stored(
    pair: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = pair

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("database or disk is full")

    monkeypatch.setattr(bob.store, "prepare_group", disk_full)
    to = bob.agent.local_address(TransportKind.UDP)
    response = await alice.agent.request(raw_message(to), Target(to, TransportKind.UDP))
    assert response.status == 500
    assert bob.inbox == []


async def test_give_up_fails_a_queued_message_locally(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    alice.ready = False
    record = alice.messaging.send("bob@example.test", "never sent")
    failed = alice.messaging.give_up(record.id, "not registered: Server not answering")
    assert (failed.state, failed.code, failed.local_failure) == (D.FAILED, None, True)
    assert alice.states(record) == [D.QUEUED, D.FAILED]
    alice.ready = True
    alice.messaging.flush()
    await alice.messaging.drain()
    assert bob.inbox == []


async def test_sender_name_that_is_not_utf8_is_stored_not_refused(tmp_path: Path) -> None:
    # A From display name in Latin-1 arrives as surrogate escapes; SQLite
    # refuses those, so it is stored with U+FFFD and answered 200.
    store = Store.open(tmp_path / "bob.db")
    bob = UserAgent()
    await bob.listen(TransportKind.UDP)
    messaging = Messaging(bob, BOB, store, None, _never_located)
    messaging.start()
    raw = (
        "MESSAGE sip:bob@example.test SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:{port};rport;branch=z9hG4bKlatin1\r\n"
        'From: "Ren\xe9" <sip:rene@example.test>;tag=l1\r\n'
        "To: <sip:bob@example.test>\r\n"
        "Call-ID: latin1-name\r\n"
        "CSeq: 1 MESSAGE\r\n"
        "Content-Type: text/plain;charset=UTF-8\r\n"
        "Content-Length: 2\r\n\r\nhi"
    )
    destination = bob.local_address(TransportKind.UDP)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        data = raw.format(port=peer.getsockname()[1]).encode("latin-1")
        peer.sendto(data, (destination.host, destination.port))
        answer, _ = await asyncio.get_running_loop().run_in_executor(None, peer.recvfrom, 65535)
    bob.close()
    assert parse(answer).status == 200
    [conversation] = store.conversations()
    assert conversation.display_name == "Ren\ufffd"
    assert [m.body for m in store.messages("sip:rene@example.test")] == ["hi"]
