"""Failover across several servers (RFC 3263 4.3) for registration and messaging.

Scripted registrars on loopback stand for a domain's SRV targets: a port
nobody listens on (timer F), a server answering 503, and a working one.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator, Callable

import pytest

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.location import LocationError
from softphone.services.messaging import Messaging
from softphone.services.registration import (
    Registration,
    RegistrationState,
    RegistrationStatus,
    RetryPolicy,
)
from softphone.sip import Request, Response
from softphone.sip.auth import DigestClient
from softphone.sip.delivery import DeliveryState
from softphone.sip.timers import TimerConfig
from softphone.store import MessageRecord, Store
from softphone.transport.base import Address, Target, TransportKind
from tests.services.scripted import DigestGate, Script, ScriptedPeer, answer

ACCOUNT = Account(aor="sip:alice@example.test")
S = RegistrationState
D = DeliveryState
UDP = TransportKind.UDP


def silent_port() -> Address:
    """A UDP port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return Address("127.0.0.1", sock.getsockname()[1])


def registrar(gate: DigestGate | None = None, granted: int = 600) -> Script:
    def script(request: Request) -> list[Response]:
        if gate is not None and (refused := gate.check(request)) is not None:
            return [refused]
        contact = (request.headers.get("Contact") or "").split(",")[0]
        return [answer(request, 200, ("Contact", f"{contact};expires={granted}"))]

    return script


def unavailable(request: Request) -> list[Response]:
    return [answer(request, 503)]


class Rig:
    def __init__(self) -> None:
        self.agent = UserAgent(timers=TimerConfig(t1=0.01))  # timer F = 0.64 s
        self.peers: list[ScriptedPeer] = []
        self.targets: list[Target] = []
        self.history: list[RegistrationStatus] = []
        self.registration: Registration | None = None
        self.locate_error: LocationError | None = None

    async def peer(self, script: Script) -> Target:
        peer = await ScriptedPeer.start(script)
        self.peers.append(peer)
        # server_name set: the target was found by name, as the resolver does.
        return Target(peer.address, UDP, "example.test")

    async def locate(self) -> list[Target]:
        if self.locate_error is not None:
            raise self.locate_error
        return list(self.targets)

    async def register(self, *, expires: int = 600) -> Registration:
        await self.agent.listen(UDP, "127.0.0.1", 0)
        self.registration = Registration(
            self.agent,
            ACCOUNT,
            DigestClient("alice", "secret"),
            self.locate,
            on_change=self.history.append,
            retry=RetryPolicy(first=60.0),
            rng=random.Random(3),
            expires=expires,
        )
        self.registration.start()
        return self.registration

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        if self.registration is not None:
            await self.registration.stop(timeout=0.5)
        self.agent.close()
        for peer in self.peers:
            peer.close()


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    r = Rig()
    yield r
    await r.close()


def branches(peer: ScriptedPeer) -> list[str | None]:
    return [request.via[0].branch for request in peer.requests]


async def test_timeout_then_503_then_registered_on_the_third(rig: Rig) -> None:
    gate = DigestGate("secret")
    busy = await rig.peer(unavailable)
    good = await rig.peer(registrar(gate))
    dead = Target(silent_port(), UDP, "example.test")
    rig.targets = [dead, busy, good]
    registration = await rig.register()
    status = await registration.wait_settled(10.0)

    assert status.state is S.REGISTERED
    assert status.server == good.address.sent_by
    assert status.text == f"Registered as alice@example.test (via {good.address.sent_by})"
    assert registration.target == good
    busy_peer, good_peer = rig.peers
    # One REGISTER to the 503 server; the challenge was answered where it came from.
    assert [r.method for r in busy_peer.requests] == ["REGISTER"]
    assert len(good_peer.requests) == 2 and gate.challenged == 1
    assert "Authorization" in good_peer.requests[1].headers
    # Every attempt is a new transaction: a new branch each time (RFC 3263 4.3).
    all_branches = branches(busy_peer) + branches(good_peer)
    assert len(set(all_branches)) == len(all_branches) == 3
    # Same registration (Call-ID) throughout, CSeq rising.
    requests = busy_peer.requests + good_peer.requests
    assert len({r.call_id for r in requests}) == 1
    assert [r.cseq.seq for r in requests] == sorted(r.cseq.seq for r in requests)
    # Each move to the next server is said in words (RFC 3263 4.3 failover).
    assert [(s.state, s.text) for s in rig.history[:-1]] == [
        (S.REGISTERING, "Registering as alice@example.test…"),
        (S.REGISTERING, f"Trying example.test ({busy.address.sent_by})…"),
        (S.REGISTERING, f"Trying example.test ({good.address.sent_by})…"),
    ]
    assert rig.history[-1].state is S.REGISTERED


async def test_all_servers_failing_reports_the_last_answer(rig: Rig) -> None:
    first = await rig.peer(unavailable)
    second = await rig.peer(unavailable)
    rig.targets = [first, second]
    registration = await rig.register()
    status = await registration.wait_settled(5.0)
    assert status.state is S.FAILED
    assert status.code == 503 and status.server == second.address.sent_by
    assert status.text.startswith("Server refused: 503 Service Unavailable, trying again in")
    assert [len(p.requests) for p in rig.peers] == [1, 1]


async def test_refresh_stays_on_the_server_holding_the_binding(rig: Rig) -> None:
    first = await rig.peer(unavailable)
    second = await rig.peer(registrar(granted=1))  # refresh after 0.5 s
    rig.targets = [first, second]
    await rig.register(expires=1)
    await rig.wait_for(lambda: len(rig.peers[1].requests) >= 3)
    # Only the first REGISTER went to the 503 server; refreshes go straight to
    # the server that holds the binding.
    assert len(rig.peers[0].requests) == 1
    assert rig.registration is not None and rig.registration.target == second


async def test_dead_flow_re_registers_on_the_next_server_first(rig: Rig) -> None:
    primary = await rig.peer(registrar())
    backup = await rig.peer(registrar())
    rig.targets = [primary, backup]
    registration = await rig.register()
    status = await registration.wait_settled(5.0)
    assert status.state is S.REGISTERED and registration.target == primary

    registration.flow_failed(backup, "not ours")  # not the registered server: ignored
    assert registration.status is status

    registration.flow_failed(primary, "no answer to a keep-alive within 10 s")
    lost = registration.status
    assert lost.state is S.REGISTERING
    assert lost.text == (
        "Connection to example.test lost (no answer to a keep-alive within 10 s), trying again…"
    )
    await rig.wait_for(lambda: registration.status.state is S.REGISTERED)
    assert registration.target == backup
    assert registration.status.text.endswith(f"(via {backup.address.sent_by})")
    # The dead server was not asked first: it saw only the first REGISTER.
    assert [len(p.requests) for p in rig.peers] == [1, 1]
    states = [s.state for s in rig.history]
    assert states == [S.REGISTERING, S.REGISTERED, S.REGISTERING, S.REGISTERED]


async def test_lookup_failure_is_a_sentence_in_the_status(rig: Rig) -> None:
    rig.locate_error = LocationError(
        "No SIP server found for nowhere.test: the domain has no SIP records", host="nowhere.test"
    )
    registration = await rig.register()
    status = await registration.wait_settled(5.0)
    assert status.state is S.FAILED
    assert status.text.startswith(
        "No SIP server found for nowhere.test: the domain has no SIP records, trying again in"
    )
    assert status.retry_in is not None and status.code is None


async def test_numeric_registrar_has_no_via_in_the_text(rig: Rig) -> None:
    good = await rig.peer(registrar())
    rig.targets = [Target(good.address, UDP)]  # an IP literal: no server name
    registration = await rig.register()
    status = await registration.wait_settled(5.0)
    assert status.text == "Registered as alice@example.test"
    assert status.server == good.address.sent_by


# -- messaging ----------------------------------------------------------------------


class Outbox:
    def __init__(self, agent: UserAgent, targets: list[Target]) -> None:
        self.store = Store.open(":memory:")
        self.history: dict[int, list[tuple[D, int | None]]] = {}
        self.final = asyncio.Event()

        async def locate(_peer: str) -> list[Target]:
            return targets

        self.messaging = Messaging(
            agent, ACCOUNT, self.store, DigestClient("alice", "secret"), locate
        )
        self.messaging.on_message_added(self._record)
        self.messaging.on_message_state(self._record)

    def _record(self, record: MessageRecord) -> None:
        self.history.setdefault(record.id, []).append((record.state, record.code))
        if record.state.is_final:
            self.final.set()


async def test_message_moves_on_after_timeout_and_503(rig: Rig) -> None:
    await rig.agent.listen(UDP, "127.0.0.1", 0)
    gate = DigestGate("secret", status=407)
    busy = await rig.peer(unavailable)

    def proxy(request: Request) -> list[Response]:
        refused = gate.check(request)
        return [refused] if refused is not None else [answer(request, 200)]

    good = await rig.peer(proxy)
    outbox = Outbox(rig.agent, [Target(silent_port(), UDP), busy, good])
    outbox.messaging.start()
    record = outbox.messaging.send("sip:bob@example.test", "hello")
    async with asyncio.timeout(10.0):
        await outbox.final.wait()
    # One final state, after the challenge from the server that answered.
    assert outbox.history[record.id] == [(D.QUEUED, None), (D.SENDING, None), (D.DELIVERED, 200)]
    busy_peer, good_peer = rig.peers
    assert [r.method for r in busy_peer.requests] == ["MESSAGE"]
    assert [r.method for r in good_peer.requests] == ["MESSAGE", "MESSAGE"]
    assert "Proxy-Authorization" in good_peer.requests[1].headers
    bodies = {r.body for r in busy_peer.requests + good_peer.requests}
    assert bodies == {b"hello"}
    outbox.store.close()


async def test_message_fails_with_the_last_503(rig: Rig) -> None:
    await rig.agent.listen(UDP, "127.0.0.1", 0)
    first = await rig.peer(unavailable)
    second = await rig.peer(unavailable)
    outbox = Outbox(rig.agent, [first, second])
    outbox.messaging.start()
    record = outbox.messaging.send("sip:bob@example.test", "hello")
    async with asyncio.timeout(5.0):
        await outbox.final.wait()
    assert outbox.history[record.id] == [(D.QUEUED, None), (D.SENDING, None), (D.FAILED, 503)]
    assert [len(p.requests) for p in rig.peers] == [1, 1]
    outbox.store.close()
