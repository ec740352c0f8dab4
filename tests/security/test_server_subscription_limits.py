"""Finding 13: subscriptions are capped, and NOTIFYs never hold up REGISTER.

3,000 subscriptions used to be accepted, and one REGISTER of the watched
user then made 9,924 NOTIFYs and delayed that REGISTER's answer. Now a
watcher may hold at most `max_subscriptions_per_watcher` subscriptions and
an address may be watched by at most `max_subscriptions_per_aor`; the
REGISTER is answered first and the NOTIFYs follow in batches, so requests
arriving meanwhile are answered too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from softphone.agent import IncomingRequest, UserAgent
from softphone.server import LocalServer
from softphone.services.outbound import Outbound
from softphone.sip import Headers, Request, SipUri, new_call_id
from softphone.sip.auth import DigestClient
from softphone.trace import Direction, TraceEntry
from softphone.transport.base import TransportKind
from tests.security.server_peers import RawClient, wait_for

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {
    "sip:alice@example.com": "alice-pw",
    "sip:bob@example.com": "bob-pw",
    "sip:joe@example.com": "joe-pw",
}
WATCHERS = {"sip:joe@example.com": ["sip:alice@example.com", "sip:bob@example.com"]}


async def subscribe(raw: RawClient, watcher: str, contact: str) -> tuple[int, str]:
    raw.call_id = new_call_id("sub")  # a new subscription each time
    response = await raw.send(
        "SUBSCRIBE",
        "sip:joe@example.com",
        f"<sip:{watcher}@example.com>",
        [("Event", "reg"), ("Contact", contact), ("Expires", "600")],
        to="<sip:joe@example.com>",
        password=PASSWORDS[f"sip:{watcher}@example.com"],
    )
    return response.status, response.reason


@pytest.fixture
async def watcher_agent() -> AsyncIterator[UserAgent]:
    agent = UserAgent()

    def on_notify(incoming: IncomingRequest) -> None:
        incoming.respond(200)

    agent.handle("NOTIFY", on_notify, in_dialog=True)
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    yield agent
    agent.close()


async def test_subscriptions_per_watcher_and_per_address_are_capped(
    watcher_agent: UserAgent,
) -> None:
    server = LocalServer(
        PASSWORDS,
        watchers=WATCHERS,
        max_subscriptions_per_watcher=3,
        max_subscriptions_per_aor=5,
    )
    await server.start()
    raw = RawClient(server)
    raw.agent = watcher_agent
    contact = f"<{watcher_agent.contact_uri('w', TransportKind.UDP)}>"
    try:
        alice = [await subscribe(raw, "alice", contact) for _ in range(4)]
        bob = [await subscribe(raw, "bob", contact) for _ in range(3)]
    finally:
        await server.stop()
    assert alice == [(200, "OK")] * 3 + [(403, "Too many subscriptions (limit 3)")]
    assert bob == [(200, "OK")] * 2 + [(403, "Too many watchers of this address (limit 5)")]


async def test_register_is_answered_first_and_notifies_do_not_hold_others_up(
    watcher_agent: UserAgent,
) -> None:
    server = LocalServer(
        PASSWORDS,
        watchers=WATCHERS,
        max_subscriptions_per_watcher=100,
        max_subscriptions_per_aor=100,
    )
    await server.start()
    raw = RawClient(server)
    raw.agent = watcher_agent
    contact = f"<{watcher_agent.contact_uri('w', TransportKind.UDP)}>"
    joe = await RawClient(server).start()
    bob = await RawClient(server).start()
    digest = DigestClient("joe", "joe-pw")
    out: list[str] = []

    def on_trace(entry: TraceEntry) -> None:
        if entry.direction is Direction.OUT:
            first = entry.data.split(b"\r\n", 1)[0].decode()
            out.append(f"{first} / {cseq_method(entry.data)}")

    def register(credentials: Sequence[tuple[str, str]] = ()) -> Request:
        joe.cseq += 1
        headers = Headers()
        headers.add("From", "<sip:joe@example.com>;tag=j1")
        headers.add("To", "<sip:joe@example.com>")
        headers.add("Call-ID", joe.call_id)
        headers.add("CSeq", f"{joe.cseq} REGISTER")
        headers.add("Contact", "<sip:joe@127.0.0.1:7999>")
        headers.add("Expires", "60")
        for name, value in credentials:
            headers.add(name, value)
        return Request(method="REGISTER", uri=SipUri.parse("sip:example.com"), headers=headers)

    def options() -> Request:
        headers = Headers()
        headers.add("From", "<sip:bob@example.com>;tag=b1")
        headers.add("To", "<sip:example.com>")
        headers.add("Call-ID", new_call_id("opt"))
        headers.add("CSeq", "1 OPTIONS")
        return Request(method="OPTIONS", uri=SipUri.parse("sip:example.com"), headers=headers)

    try:
        for _ in range(60):
            assert (await subscribe(raw, "alice", contact))[0] == 200
        first = await Outbound(joe.agent, digest).send(lambda _: register(), targets=joe.target)
        assert first.response.status == 200
        await wait_for(lambda: server.pending_notifies == 0)
        server.agent.add_observer(on_trace)
        # Joe's REGISTER (60 NOTIFYs to send) and bob's OPTIONS leave at once.
        answers: list[int] = []
        for agent, request in (
            (joe.agent, register(digest.authorize(method="REGISTER", uri="sip:example.com"))),
            (bob.agent, options()),
        ):
            agent.send_request(
                request,
                joe.target,
                on_response=lambda r: answers.append(r.status),
                on_failure=lambda f: None,
            )
        await wait_for(lambda: sum(line.startswith("NOTIFY") for line in out) >= 60)
    finally:
        server.agent.remove_observer(on_trace)
        joe.close()
        bob.close()
        await server.stop()
    assert answers == [200, 200]
    notifies = [i for i, line in enumerate(out) if line.startswith("NOTIFY")]
    assert out[0] == "SIP/2.0 200 OK / REGISTER"
    assert out.index("SIP/2.0 200 OK / OPTIONS") < notifies[-1], out


def cseq_method(data: bytes) -> str:
    for line in data.split(b"\r\n"):
        if line.lower().startswith(b"cseq:"):
            return line.split()[-1].decode()
    return ""
