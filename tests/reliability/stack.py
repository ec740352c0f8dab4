"""In-process stacks for the reliability tests: agent + services + store.

`FuzzStack` is the whole receive path (bytes -> parser -> transactions ->
handlers -> store) behind a transport that only records what would go on
the wire, so a fuzzer can feed it bytes without a socket. `Peer` is one user
on real loopback sockets for the loss, flood and hostile-input tests.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.ratelimit import FloodLimits
from softphone.resend_policy import ResendPolicy
from softphone.services.messaging import Messaging, peer_of
from softphone.services.presence import Presence
from softphone.sip import Response, SipUri, parse
from softphone.sip.errors import ParseError
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, MessageRecord, Store
from softphone.transport.base import Address, Target, TransportKind

ALICE = Account(aor="sip:alice@example.test", display_name="Alice")
BOB = Account(aor="sip:bob@example.test", display_name="Bob")


@dataclass
class CaptureTransport:
    """A UDP-kind transport that records every datagram instead of sending it."""

    kind: TransportKind = TransportKind.UDP
    local: Address = field(default_factory=lambda: Address("127.0.0.1", 5060))
    sent: list[tuple[bytes, Address]] = field(default_factory=list)

    def send(self, data: bytes, destination: Address, *, server_name: str | None = None) -> None:
        self.sent.append((data, destination))

    def close(self) -> None:
        self.sent.clear()


def options_probe(number: int) -> bytes:
    """A valid OPTIONS request with a fresh branch and Call-ID."""
    return (
        f"OPTIONS sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKprobe{number};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:probe@example.test>;tag=p{number}\r\n"
        f"To: <sip:bob@example.test>\r\n"
        f"Call-ID: probe-{number}@192.0.2.9\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


Identity = tuple[str, str, int, str]


def answered_identity(data: bytes) -> Identity | None:
    """(peer, Call-ID, CSeq, From tag) of a 200 to a MESSAGE in *data*, else None.

    The same identity the store deduplicates on (RFC 3261 8.2.2.2).
    """
    try:
        response = parse(data)
    except ParseError:
        # A 400 to a broken request copies its broken headers back
        # (RFC 3261 8.2.6.2); that answer is never one of our 200s.
        return None
    if not isinstance(response, Response) or response.status != 200:
        return None
    if response.cseq.method != "MESSAGE":
        return None
    uri = response.from_.uri
    peer = peer_of(uri) if isinstance(uri, SipUri) else str(uri)
    return peer, response.call_id, response.cseq.seq, response.from_.tag or ""


def stored_identities(store: Store) -> set[Identity]:
    """The identity of every incoming message in *store*."""
    return {
        (m.peer, m.call_id or "", m.cseq or 0, m.from_tag or "")
        for c in store.conversations()
        for m in store.messages(c.peer, limit=10_000_000)
        if m.direction is Direction.IN
    }


class CaughtErrors(logging.Handler):
    """Records every exception the stack caught and logged.

    The agent and transports catch a handler's exception so the stack keeps
    running; for a fuzzer such a catch is still a bug, so it is collected.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info is None:
            return
        self.records.append(record)

    def describe(self) -> str:
        return "\n".join(self.format(r) for r in self.records)


class FuzzStack:
    """Bob's receive path, fed bytes directly through `UserAgent.receive`.

    Time is a number advanced by `feed`, far enough each time that every
    transaction's timers fire on the next loop turn, so memory stays flat
    over millions of inputs.
    """

    SOURCE = Address("192.0.2.9", 5060)

    def __init__(self) -> None:
        self.now = 1000.0
        self.transport = CaptureTransport()
        self.agent = UserAgent(timers=TimerConfig(t1=0.01), clock=lambda: self.now)
        self.store = Store.open(":memory:")

        async def nowhere(*_args: object) -> Target:
            raise AssertionError("the fuzz stack never sends requests")

        self.messaging = Messaging(
            self.agent, BOB, self.store, None, nowhere, clock=lambda: self.now
        )
        self.presence = Presence(self.agent, BOB, None, nowhere, clock=lambda: self.now)
        self.messaging.start()
        self.presence.start()
        self._probes = itertools.count()
        self.errors = CaughtErrors()
        logging.getLogger("softphone").addHandler(self.errors)

    def feed(self, data: bytes) -> None:
        """Hand *data* to the agent as a datagram from `SOURCE`; raises nothing."""
        self.agent.receive(data, self.SOURCE, self.transport)
        self.now += 10.0

    def answers_options(self) -> bool:
        """True when a fresh OPTIONS gets a 200 right now."""
        self.transport.sent.clear()
        self.agent.receive(options_probe(next(self._probes)), self.SOURCE, self.transport)
        for data, _ in self.transport.sent:
            try:
                message = parse(data)
            except ParseError:
                return False
            if isinstance(message, Response) and message.status == 200:
                return message.cseq.method == "OPTIONS"
        return False

    def close(self) -> None:
        logging.getLogger("softphone").removeHandler(self.errors)
        self.agent.close()
        self.store.close()


class Peer:
    """One user on loopback: agent, messaging, store; records every state."""

    def __init__(
        self,
        account: Account,
        store: Store,
        *,
        timers: TimerConfig,
        limits: FloodLimits | None = None,
    ) -> None:
        self.account = account
        self.store = store
        self.agent = UserAgent(timers=timers, limits=limits)
        self.target: Target | None = None
        self.states: dict[int, list[MessageRecord]] = {}
        self.inbox: list[MessageRecord] = []

        async def locate(_peer: str) -> Target:
            assert self.target is not None
            return self.target

        # Nothing here resends (the application's `Resender` is not part of
        # this stack): a failure stays as it is and holds nothing behind it.
        self.messaging = Messaging(
            self.agent, account, store, None, locate, resend=ResendPolicy(automatic=False)
        )
        self.messaging.on_message_added(self._record)
        self.messaging.on_message_state(self._record)

    def _record(self, record: MessageRecord) -> None:
        if record.direction is Direction.IN:
            self.inbox.append(record)
        else:
            self.states.setdefault(record.id, []).append(record)

    async def start(self) -> Address:
        transport = await self.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
        self.messaging.start()
        return transport.local

    def close(self) -> None:
        self.agent.close()
        self.store.close()


async def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll *predicate* on the loop until it holds or *timeout* passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(step)
    return True
