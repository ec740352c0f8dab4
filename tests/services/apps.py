"""Two real Applications talking directly over loopback UDP (no server).

Each one's next hop is the other's socket, so a test drives the product's
own send and receive paths end to end: formats, messaging, receipts, typing.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from softphone.account import Account
from softphone.agent import Target
from softphone.app import Application, AppOptions
from softphone.services.content import PLAIN_CONTENT_TYPE, encode_cpim
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, new_call_id, new_tag
from softphone.sip.delivery import DeliveryState
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, MessageRecord, Store
from softphone.transport.base import TransportKind

ALICE = "sip:alice@example.test"
BOB = "sip:bob@example.test"


class Peer:
    """One Application with recorders for what its callbacks said."""

    def __init__(self, aor: str, name: str, db: str = ":memory:", **account: object) -> None:
        self.app = Application(
            Account(aor=aor, display_name=name, **account),  # type: ignore[arg-type]
            None,
            Store.open(db),
            AppOptions(listen_host="127.0.0.1", register=False, timers=TimerConfig(t1=0.02)),
        )
        self.inbox: list[MessageRecord] = []
        self.history: dict[int, list[DeliveryState]] = {}
        self.changed = asyncio.Event()
        self.app.messaging.on_message_added(self._added)
        self.app.messaging.on_message_state(self._state)

    def _added(self, record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            self.inbox.append(record)
        else:
            self.history[record.id] = [record.state]
        self.changed.set()

    def _state(self, record: MessageRecord) -> None:
        self.history.setdefault(record.id, []).append(record.state)
        self.changed.set()

    @property
    def address(self) -> str:
        local = self.app.agent.local_address(TransportKind.UDP)
        return f"{local.host}:{local.port}"

    def target(self) -> Target:
        return Target(self.app.agent.local_address(TransportKind.UDP), TransportKind.UDP)

    def route_to(self, other: Peer | str) -> None:
        """Send everything to *other* (a Peer or ``host:port``)."""
        where = other.address if isinstance(other, Peer) else other
        self.app.account = dataclasses.replace(self.app.account, outbound_proxy=where)

    async def until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not check():
                self.changed.clear()
                await self.changed.wait()


@asynccontextmanager
async def two_peers(
    alice_db: str = ":memory:", **bob_account: object
) -> AsyncIterator[tuple[Peer, Peer]]:
    alice, bob = Peer(ALICE, "Alice", alice_db), Peer(BOB, "Bob", **bob_account)
    await alice.app.start()
    await bob.app.start()
    alice.route_to(bob)
    bob.route_to(alice)
    try:
        yield alice, bob
    finally:
        await alice.app.stop()
        await bob.app.stop()


async def send_raw(
    sender: Peer,
    to: Peer,
    body: bytes,
    content_type: str,
    *,
    from_aor: str | None = None,
) -> Response:
    """A MESSAGE as another client would write it, from *sender*'s socket."""
    account = sender.app.account
    headers = Headers()
    from_uri = SipUri.parse(from_aor or account.aor)
    headers.add("From", str(NameAddr(from_uri).with_tag(new_tag())))
    headers.add("To", str(NameAddr(SipUri.parse(to.app.account.aor))))
    headers.add("Call-ID", new_call_id("example.test"))
    headers.add("CSeq", "1 MESSAGE")
    headers.add("Content-Type", content_type)
    request = Request(
        method="MESSAGE",
        uri=SipUri.parse(f"{to.app.account.aor};transport=udp"),
        headers=headers,
        body=body,
    )
    return await sender.app.agent.request(request, to.target())


def cpim_wrapped(
    inner_type: str, body: bytes, *, message_id: str, sender: str = BOB, to: str = ALICE
) -> bytes:
    return encode_cpim(
        from_=f"<{sender}>",
        to=f"<{to}>",
        now=1_700_000_000.0,
        content_type=inner_type,
        body=body,
        message_id=message_id,
        content_headers=(("Content-Disposition", "notification"),),
    )[1]


__all__ = ["ALICE", "BOB", "PLAIN_CONTENT_TYPE", "Peer", "cpim_wrapped", "send_raw", "two_peers"]
