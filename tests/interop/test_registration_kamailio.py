"""Registration against a real Kamailio: digest, refresh, 423, wrong password, unregister.

Codes observed with Kamailio 5.6.3 and `tests/interop/kamailio/kamailio.cfg`:
REGISTER gets 401 then 200; a wrong password gets 401 then 403 (no second
challenge); Expires 5 gets 423 with Min-Expires: 10; Expires: 0 removes
the binding (a REGISTER without Contact then lists none).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.app import Application, AppOptions
from softphone.services.outbound import Outbound
from softphone.services.registration import RegistrationState, RegistrationStatus
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, new_call_id, new_tag, parse
from softphone.sip.auth import DigestClient
from softphone.store import Store
from softphone.trace import Direction, TraceEntry
from softphone.transport.base import Address, Target, TransportKind
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess

pytestmark = [pytest.mark.interop, harness.requires_kamailio]

S = RegistrationState


class Client:
    """An Application for one test user, with what it saw recorded."""

    def __init__(
        self,
        kam: KamailioProcess,
        user: str,
        *,
        password: str | None = None,
        expires: int | None = None,
        store: Store | None = None,
        proxy: bool = False,
    ) -> None:
        account = Account(
            aor=f"sip:{user}@{kam.domain}",
            registrar=kam.hostport,
            outbound_proxy=kam.hostport if proxy else None,
        )
        self.app = Application(
            account,
            USERS[user] if password is None else password,
            store or Store.open(":memory:"),
            AppOptions(listen_host="127.0.0.1", expires=expires),
        )
        self.statuses: list[RegistrationStatus] = []
        self.app.on_registration(self.statuses.append)
        self.responses: list[tuple[str, int]] = []
        self.app.agent.add_observer(self._observe)

    def _observe(self, entry: TraceEntry) -> None:
        if entry.direction is Direction.IN and entry.data.startswith(b"SIP/2.0 "):
            response = parse(entry.data)
            assert isinstance(response, Response)
            self.responses.append((response.cseq.method, response.status))

    def codes(self, method: str) -> list[int]:
        return [status for m, status in self.responses if m == method]

    @property
    def states(self) -> list[RegistrationState]:
        return [status.state for status in self.statuses]

    async def registered(self, timeout: float = 5.0) -> RegistrationStatus:
        assert self.app.registration is not None
        status = await self.app.registration.wait_settled(timeout)
        assert status.state is S.REGISTERED, status
        return status


@asynccontextmanager
async def running(client: Client) -> AsyncIterator[Client]:
    await client.app.start()
    try:
        yield client
    finally:
        await client.app.stop()


async def query_bindings(kam: KamailioProcess, user: str) -> list[str]:
    """The contacts Kamailio holds for *user*: a REGISTER without Contact (RFC 3261 10.2.3)."""
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    aor = NameAddr(SipUri.parse(f"sip:{user}@{kam.domain}"))
    call_id, tag = new_call_id("query.invalid"), new_tag()
    cseq = 0

    def build(_target: Target) -> Request:
        nonlocal cseq
        cseq += 1
        headers = Headers()
        headers.add("From", str(aor.with_tag(tag)))
        headers.add("To", str(aor))
        headers.add("Call-ID", call_id)
        headers.add("CSeq", f"{cseq} REGISTER")
        return Request("REGISTER", SipUri.parse(f"sip:{kam.domain}"), headers)

    try:
        outbound = Outbound(agent, DigestClient(user, USERS[user]))
        target = Target(Address(kam.host, kam.port), TransportKind.UDP)
        response: Response = (await outbound.send(build, targets=target)).response
    finally:
        agent.close()
    assert response.status == 200, response
    return [str(c.address.uri) for c in response.contact if c.address is not None]


async def test_alice_and_bob_register_with_digest(kamailio: KamailioProcess) -> None:
    alice, bob = Client(kamailio, "alice"), Client(kamailio, "bob")
    async with running(alice), running(bob):
        for client in (alice, bob):
            status = await client.registered()
            assert (status.code, status.expires) == (200, 600)
            assert client.codes("REGISTER") == [401, 200]
            assert client.states == [S.REGISTERING, S.REGISTERED]
        assert status.text == "Registered as bob@example.test"
        contact = bob.app.registration.contact if bob.app.registration else None
        assert await query_bindings(kamailio, "bob") == [str(contact)]


async def test_wrong_password_fails_with_wrong_credentials(kamailio: KamailioProcess) -> None:
    alice = Client(kamailio, "alice", password="not-the-password")
    async with running(alice):
        assert alice.app.registration is not None
        status = await alice.app.registration.wait_settled(5)
        assert alice.codes("REGISTER") == [401, 403]
        assert (status.state, status.code, status.retry_in) == (S.FAILED, 403, None)
        assert status.text == "Wrong credentials (403 Forbidden)"
        assert alice.states == [S.REGISTERING, S.FAILED]
        assert not alice.app.is_ready()


async def test_short_expires_is_refreshed(kamailio: KamailioProcess) -> None:
    # Kamailio's minimum is 10 s; a binding of 10 s is refreshed every 5 s.
    alice = Client(kamailio, "alice", expires=10)
    async with running(alice):
        await alice.registered()
        async with asyncio.timeout(14):
            while alice.codes("REGISTER").count(200) < 3:
                await asyncio.sleep(0.1)
        # Only the first REGISTER is challenged: refreshes carry the next
        # nonce count pre-emptively (RFC 3261 22.3, RFC 7616 3.4).
        assert alice.codes("REGISTER") == [401, 200, 200, 200]
        # Refreshing never showed "registering" again.
        assert alice.states == [S.REGISTERING, S.REGISTERED]
        assert alice.statuses[-1].expires == 10


async def test_423_interval_too_brief_uses_min_expires(kamailio: KamailioProcess) -> None:
    alice = Client(kamailio, "alice", expires=5)
    async with running(alice):
        status = await alice.registered()
        # RFC 3261 10.2.8: retry with the registrar's Min-Expires.
        # The credentials the 423 took go with the retry at once.
        assert alice.codes("REGISTER") == [401, 423, 200]
        assert status.expires == 10
        assert alice.states == [S.REGISTERING, S.REGISTERED]


async def test_quitting_removes_the_binding(kamailio: KamailioProcess) -> None:
    alice = Client(kamailio, "alice")
    await alice.app.start()
    try:
        await alice.registered()
        contact = alice.app.registration.contact if alice.app.registration else None
        assert await query_bindings(kamailio, "alice") == [str(contact)]
    finally:
        await alice.app.stop()
    assert alice.codes("REGISTER")[-1] == 200  # the Expires: 0 REGISTER was accepted
    assert alice.states == [S.REGISTERING, S.REGISTERED, S.UNREGISTERED]
    assert await query_bindings(kamailio, "alice") == []
