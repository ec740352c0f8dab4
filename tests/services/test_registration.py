"""The REGISTER loop against a scripted registrar on loopback (no Kamailio)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import pytest

from softphone import wakeups
from softphone.account import Account
from softphone.agent import UserAgent
from softphone.services.registration import (
    Registration,
    RegistrationState,
    RegistrationStatus,
    RetryPolicy,
    refresh_after,
)
from softphone.sip import Request, Response
from softphone.sip.auth import DigestClient
from softphone.sip.timers import TimerConfig
from softphone.transport.base import Target, TransportKind
from tests.services.scripted import DigestGate, Script, ScriptedPeer, answer

ACCOUNT = Account(aor="sip:alice@example.test", registrar="127.0.0.1")
S = RegistrationState


def ok(request: Request, granted: int | None = None) -> Response:
    """A 200 that echoes the Contact with the granted lifetime (RFC 3261 10.3 step 8)."""
    expires = granted if granted is not None else request.expires
    contact = request.headers.get("Contact") or ""
    first = contact.split(",")[0]
    return answer(request, 200, ("Contact", f"{first};expires={expires}"))


class Rig:
    """An agent, a scripted registrar and a Registration between them."""

    def __init__(self) -> None:
        self.agent = UserAgent(timers=TimerConfig(t1=0.01))
        self.peer: ScriptedPeer | None = None
        self.registration: Registration | None = None
        self.history: list[RegistrationStatus] = []

    async def start(
        self,
        script: Script,
        *,
        password: str | None = "secret",
        expires: int = 600,
        retry: RetryPolicy | None = None,
    ) -> Registration:
        await self.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
        self.peer = await ScriptedPeer.start(script)
        address = self.peer.address

        async def locate() -> Target:
            return Target(address, TransportKind.UDP)

        digest = DigestClient("alice", password) if password is not None else None
        self.registration = Registration(
            self.agent,
            ACCOUNT,
            digest,
            locate,
            on_change=self.history.append,
            retry=retry or RetryPolicy(first=60.0),
            rng=random.Random(7),
            expires=expires,
        )
        self.registration.start()
        return self.registration

    @property
    def states(self) -> list[RegistrationState]:
        return [status.state for status in self.history]

    async def wait_state(self, state: RegistrationState, *, timeout: float = 5.0) -> None:
        assert self.registration is not None
        async with asyncio.timeout(timeout):
            while self.registration.status.state is not state:
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        if self.registration is not None:
            await self.registration.stop(timeout=1.0)
        self.agent.close()
        if self.peer is not None:
            self.peer.close()


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    r = Rig()
    yield r
    await r.close()


def registrar(gate: DigestGate, respond: Callable[[Request], Response] = ok) -> Script:
    def script(request: Request) -> list[Response]:
        refused = gate.check(request)
        return [refused] if refused is not None else [respond(request)]

    return script


async def test_digest_401_then_registered(rig: Rig) -> None:
    gate = DigestGate("secret")
    registration = await rig.start(registrar(gate))
    await rig.wait_state(S.REGISTERED)
    assert rig.states == [S.REGISTERING, S.REGISTERED]
    assert registration.status.code == 200
    assert registration.status.expires == 600
    assert registration.status.text == "Registered as alice@example.test"
    assert rig.peer is not None
    first, second = rig.peer.requests
    # RFC 3261 10.2: the Request-URI names the domain, not the registrar's address.
    assert str(first.uri) == "sip:example.test"
    assert "Authorization" not in first.headers
    assert (second.headers.get("Authorization") or "").startswith("Digest ")
    # A new CSeq in the same Call-ID for the retry (RFC 3261 10.2.4, 22.2).
    assert (first.call_id, first.cseq.seq + 1) == (second.call_id, second.cseq.seq)
    assert second.expires == 600
    contact = registration.contact
    assert contact is not None and contact.host == "127.0.0.1"


async def test_proxy_challenge_407_is_answered(rig: Rig) -> None:
    gate = DigestGate("secret", status=407)
    await rig.start(registrar(gate))
    await rig.wait_state(S.REGISTERED)
    assert rig.peer is not None
    assert [r.headers.get("Proxy-Authorization") is not None for r in rig.peer.requests] == [
        False,
        True,
    ]


async def test_wrong_password_is_reported_and_not_retried(rig: Rig) -> None:
    gate = DigestGate("secret")
    registration = await rig.start(registrar(gate), password="wrong")
    status = await registration.wait_settled(5)
    assert rig.states == [S.REGISTERING, S.FAILED]
    assert (status.code, status.retry_in) == (403, None)
    assert status.text == "Wrong credentials (403 Forbidden)"
    assert rig.peer is not None and len(rig.peer.requests) == 2
    assert registration._task is not None and registration._task.done()


async def test_second_challenge_means_wrong_credentials(rig: Rig) -> None:
    # A registrar that challenges again instead of 403 (RFC 3261 22.2).
    def script(request: Request) -> list[Response]:
        return [answer(request, 401, ("WWW-Authenticate", 'Digest realm="example.test",nonce="n"'))]

    registration = await rig.start(script)
    status = await registration.wait_settled(5)
    assert status.state is S.FAILED
    assert status.text.startswith("Wrong credentials")
    assert status.retry_in is None


async def test_no_password_for_a_challenge(rig: Rig) -> None:
    registration = await rig.start(registrar(DigestGate("secret")), password=None)
    status = await registration.wait_settled(5)
    assert (status.state, status.code) == (S.FAILED, 401)
    assert "asks for a password" in status.text


async def test_423_is_answered_with_min_expires(rig: Rig) -> None:
    gate = DigestGate("secret")

    def respond(request: Request) -> Response:
        if (request.expires or 0) < 10:
            return answer(request, 423, ("Min-Expires", "10"))
        return ok(request)

    registration = await rig.start(registrar(gate, respond), expires=5)
    await rig.wait_state(S.REGISTERED)
    assert rig.peer is not None
    authorized = [r.expires for r in rig.peer.requests if "Authorization" in r.headers]
    assert authorized == [5, 10]
    assert registration.status.expires == 10
    assert rig.states == [S.REGISTERING, S.REGISTERED]


async def test_503_retry_after_is_honoured(rig: Rig) -> None:
    gate = DigestGate("secret")
    answered: list[int] = []

    def respond(request: Request) -> Response:
        # The first authorized REGISTER meets an overloaded registrar.
        if not answered:
            answered.append(503)
            return answer(request, 503, ("Retry-After", "1"))
        answered.append(200)
        return ok(request)

    # The back-off alone would wait 60-120 s: only Retry-After explains a retry now.
    await rig.start(registrar(gate, respond), retry=RetryPolicy(first=60.0))
    await rig.wait_state(S.REGISTERED, timeout=10)
    failed = [s for s in rig.history if s.state is S.FAILED]
    assert [(s.code, s.retry_in) for s in failed] == [(503, 1.0)]
    assert failed[0].text == "Server refused: 503 Service Unavailable, trying again in 1 s"
    assert rig.states == [S.REGISTERING, S.FAILED, S.REGISTERING, S.REGISTERED]
    assert answered == [503, 200]


async def test_no_answer_backs_off_then_recovers(rig: Rig) -> None:
    gate = DigestGate("secret")
    silent = [True]

    def script(request: Request) -> list[Response]:
        if silent[0]:
            silent[0] = False  # swallow the whole first transaction
            return []
        if request.cseq.seq == 1:
            return []  # its retransmissions too
        refused = gate.check(request)
        return [refused] if refused is not None else [ok(request)]

    await rig.start(script, retry=RetryPolicy(first=0.05, maximum=0.1))
    await rig.wait_state(S.REGISTERED, timeout=10)
    failed = [s for s in rig.history if s.state is S.FAILED]
    assert len(failed) == 1
    # A local timer F is not a remote 408: no status code.
    assert failed[0].code is None
    # In words, with the real timeout: no "timer F" for people.
    timeout = rig.agent.timers.timeout
    assert failed[0].text.startswith(
        f"No answer from 127.0.0.1 after {timeout:g} s, trying again in"
    )
    assert failed[0].retry_in is not None and 0.05 <= failed[0].retry_in < 0.1
    assert rig.states == [S.REGISTERING, S.FAILED, S.REGISTERING, S.REGISTERED]


def test_retry_policy_doubles_with_jitter_to_a_cap() -> None:
    policy = RetryPolicy(first=5.0, maximum=300.0)
    rng = random.Random(1)
    for failures, (low, high) in {1: (5, 10), 2: (10, 20), 3: (20, 40), 9: (300, 300)}.items():
        for _ in range(20):
            assert low <= policy.wait(failures, rng) <= high
    assert refresh_after(3600) == 3540.0
    assert refresh_after(10) == 5.0


async def test_refresh_keeps_registered_and_reuses_call_id(rig: Rig) -> None:
    gate = DigestGate("secret")
    await rig.start(registrar(gate, lambda r: ok(r, 2)), expires=2)
    assert rig.peer is not None
    # Registration: 401 + 200; each refresh (after 1 s): 401 + 200 again.
    requests = await rig.peer.wait_for(6, timeout=10)
    assert {r.call_id for r in requests} == {requests[0].call_id}
    seqs = [r.cseq.seq for r in requests]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # RFC 3261 10.2.4: a refresh is a new REGISTER; the state never leaves REGISTERED.
    assert rig.states == [S.REGISTERING, S.REGISTERED]


async def test_stop_unregisters_with_expires_zero(rig: Rig) -> None:
    gate = DigestGate("secret")
    registration = await rig.start(registrar(gate))
    await rig.wait_state(S.REGISTERED)
    await registration.stop(timeout=2)
    assert rig.peer is not None
    last = rig.peer.requests[-1]
    assert last.expires == 0
    assert last.headers.get("Contact") == f"<{registration.contact}>"
    assert rig.states == [S.REGISTERING, S.REGISTERED, S.UNREGISTERED]


async def test_registrar_seen_address_replaces_contact(rig: Rig) -> None:
    """RFC 3581 4: follow received/rport; drop the unreachable binding."""
    gate = DigestGate("secret")

    def respond(request: Request) -> Response:
        response = ok(request)
        top = response.headers.get_all("Via")[0]
        response.headers.replace_first(
            "Via", top.replace(";rport", ";received=192.0.2.7;rport=40000")
        )
        return response

    registration = await rig.start(registrar(gate, respond))
    await rig.wait_state(S.REGISTERED)
    contact = registration.contact
    assert contact is not None and (contact.host, contact.port) == ("192.0.2.7", 40000)
    assert rig.peer is not None
    authorized = [r for r in rig.peer.requests if "Authorization" in r.headers]
    assert len(authorized) == 2
    old, new = (r.headers.get("Contact") or "" for r in authorized)
    assert "192.0.2.7" not in old
    assert new.startswith("<sip:alice@192.0.2.7:40000>")
    assert new.endswith(";expires=0")  # the old binding is removed in the same request
    assert rig.states == [S.REGISTERING, S.REGISTERED]


async def test_refresh_shares_a_wakeup_in_its_window_and_never_goes_late(rig: Rig) -> None:
    # A binding of 60 s is refreshed after 30 s at the latest, and may go up
    # to 6 s earlier (RFC 3261 10.2.4 asks only for a refresh before
    # expiry). Another timer of the app armed at 27 s (a buddy's refresh)
    # is in that window: the refresh takes its wake-up. One at 40 s is not:
    # the refresh stays in its own window.
    table = wakeups.for_loop()
    loop = asyncio.get_running_loop()
    inside = table.call_at(loop.time() + 27.0, lambda: None)
    plans: list[tuple[float | None, float | None]] = []
    try:
        registration = await rig.start(registrar(DigestGate("secret"), lambda r: ok(r, 60)))
        await rig.wait_state(S.REGISTERED)
        async with asyncio.timeout(5):
            while registration.refresh_at is None:
                await asyncio.sleep(0.01)
        plans.append((registration.refresh_at, registration.expires_at))
        assert registration.refresh_at == inside.when()
        inside.cancel()
        outside = table.call_at(loop.time() + 40.0, lambda: None)
        # A new binding (the flow found dead) plans its refresh afresh.
        assert registration.target is not None
        registration.flow_failed(registration.target, "test")
        await rig.wait_state(S.REGISTERED)
        async with asyncio.timeout(5):
            while registration.refresh_at is None:
                await asyncio.sleep(0.01)
        plans.append((registration.refresh_at, registration.expires_at))
        outside.cancel()
    finally:
        inside.cancel()
    for refresh_at, expires_at in plans:
        assert refresh_at is not None and expires_at is not None
        # Never late: the refresh goes at the latest at refresh_after(60)
        # before expiry, with room for retransmissions (timer F).
        assert refresh_at <= expires_at - 30.0
    refresh_at, expires_at = plans[1]
    assert refresh_at is not None and expires_at is not None
    assert refresh_at != outside.when() and refresh_at >= expires_at - 36.0
