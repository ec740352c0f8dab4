"""Test helpers: a fake clock and in-memory transaction pairs with loss.

Nothing here sleeps or opens a socket: time is a number the test moves, and
datagrams move between a client and a server transaction in memory, passing
through :func:`softphone.sip.parse` exactly as they would off the wire.
`cli_env` is the environment of a `softphone` command a test runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from softphone.sip.events import Event
from softphone.sip.headers import Headers
from softphone.sip.message import Request, Response, new_branch, parse
from softphone.sip.timers import TimerConfig
from softphone.sip.transaction import ClientTransaction, ServerTransaction, State
from softphone.sip.uri import parse_uri

ROOT = Path(__file__).resolve().parent.parent


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment for a `softphone` subprocess: its own config and data
    folders under *tmp_path*, no keyring, this checkout first on the path."""
    return dict(
        os.environ,
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
        **extra,
    )


@dataclass
class FakeClock:
    """A clock that only moves when told to."""

    now: float = 0.0

    def advance(self, seconds: float) -> float:
        """Move forward by *seconds* and return the new time."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self.now += seconds
        return self.now

    def advance_to(self, when: float) -> float:
        """Move forward to *when* (never backwards) and return the new time."""
        self.now = max(self.now, when)
        return self.now


def make_request(
    method: str = "MESSAGE",
    *,
    branch: str | None = None,
    cseq: int = 1,
    body: bytes = b"hello",
    uri: str = "sip:bob@example.com",
    call_id: str = "a84b4c76e66710@client.example.com",
    to_tag: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> Request:
    """Build a small, valid request from alice to bob."""
    to = "<sip:bob@example.com>" + (f";tag={to_tag}" if to_tag else "")
    headers = [
        ("Via", f"SIP/2.0/UDP client.example.com:5060;branch={branch or new_branch()}"),
        ("Max-Forwards", "70"),
        ("From", "<sip:alice@example.com>;tag=1928301774"),
        ("To", to),
        ("Call-ID", call_id),
        ("CSeq", f"{cseq} {method}"),
        *extra,
    ]
    if body:
        headers.append(("Content-Type", "text/plain"))
    return Request(method, parse_uri(uri), Headers(headers), body)


class LossPattern:
    """Deterministic loss: ``pattern[i]`` says whether datagram *i* is lost.

    Datagrams past the end of the pattern are delivered, so every exchange
    ends (aiortc's and aioquic's tests inject loss the same way).
    """

    def __init__(self, pattern: Iterable[bool] = ()) -> None:
        self._pattern: Iterator[bool] = iter(pattern)
        self.lost = 0
        self.delivered = 0

    def drops_next(self) -> bool:
        """Whether the next datagram is lost; counts both outcomes."""
        lost = next(self._pattern, False)
        if lost:
            self.lost += 1
        else:
            self.delivered += 1
        return lost


Responder = Callable[[Request], list[Response]]


def ok_responder(request: Request) -> list[Response]:
    """Answer every request with a 200 OK."""
    return [Response.for_request(request, 200, to_tag="srv1")]


@dataclass
class TransactionPair:
    """A client transaction and the server transaction it creates, in memory.

    The first request datagram that gets through creates a
    :class:`ServerTransaction` and is handed to *responder*, whose responses
    the server transaction sends; later request datagrams are fed to it as
    retransmissions. Responses are fed back to the client transaction.

    Attributes:
        client: the client transaction under test.
        clock: the shared fake clock.
        responder: the server's transaction user.
        up: loss on the client-to-server direction.
        down: loss on the server-to-client direction.
        server: the server transaction, once a request got through.
        client_events: every event of the client, in order.
        server_events: every event of the server, in order.
        server_transactions: how many server transactions were created.
        client_datagrams: every datagram the client sent, lost or not.
        server_datagrams: every datagram the server sent, lost or not.
        client_terminated_at: when the client transaction reached Terminated.
    """

    client: ClientTransaction
    clock: FakeClock
    responder: Responder = ok_responder
    up: LossPattern = field(default_factory=LossPattern)
    down: LossPattern = field(default_factory=LossPattern)
    reliable: bool = False
    timers: TimerConfig = field(default_factory=TimerConfig)
    server: ServerTransaction | None = None
    client_events: list[Event] = field(default_factory=list)
    server_events: list[Event] = field(default_factory=list)
    server_transactions: int = 0
    client_datagrams: list[bytes] = field(default_factory=list)
    server_datagrams: list[bytes] = field(default_factory=list)
    client_terminated_at: float | None = None

    @classmethod
    def create(
        cls,
        request: Request | None = None,
        *,
        reliable: bool = False,
        up: Iterable[bool] = (),
        down: Iterable[bool] = (),
        responder: Responder = ok_responder,
        clock: FakeClock | None = None,
        timers: TimerConfig | None = None,
    ) -> TransactionPair:
        """Start a client transaction for *request* (a MESSAGE by default)."""
        clock = clock or FakeClock()
        timers = timers or TimerConfig()
        client = ClientTransaction(
            request or make_request(), reliable=reliable, now=clock.now, timers=timers
        )
        return cls(
            client=client,
            clock=clock,
            responder=responder,
            up=LossPattern(up),
            down=LossPattern(down),
            reliable=reliable,
            timers=timers,
        )

    def transfer(self) -> None:
        """Move every pending datagram across, both ways, until none is left."""
        now = self.clock.now
        while True:
            moved = False
            for data in self.client.datagrams_to_send():
                moved = True
                self.client_datagrams.append(data)
                if not self.up.drops_next():
                    self._to_server(data, now)
            if self.server is not None:
                for data in self.server.datagrams_to_send():
                    moved = True
                    self.server_datagrams.append(data)
                    if not self.down.drops_next() and self.client.state is not State.TERMINATED:
                        message = parse(data)
                        assert isinstance(message, Response)
                        self.client.receive(message, now)
            self._collect()
            if not moved:
                return

    def _to_server(self, data: bytes, now: float) -> None:
        request = parse(data)
        assert isinstance(request, Request)
        if self.server is None or self.server.state is State.TERMINATED:
            # No live transaction: this request starts a new one (17.2.3).
            self.server = ServerTransaction(
                request, reliable=self.reliable, now=now, timers=self.timers
            )
            self.server_transactions += 1
            for response in self.responder(request):
                self.server.respond(response, now)
        else:
            self.server.receive(request, now)

    def _collect(self) -> None:
        self.client_events.extend(self.client.events())
        if self.client_terminated_at is None and self.client.state is State.TERMINATED:
            self.client_terminated_at = self.clock.now
        if self.server is not None:
            self.server_events.extend(self.server.events())

    def deadline(self) -> float | None:
        """The earliest deadline of both transactions."""
        deadlines = [self.client.deadline]
        if self.server is not None:
            deadlines.append(self.server.deadline)
        return min((d for d in deadlines if d is not None), default=None)

    def run(self, until: float = 1000.0) -> None:
        """Exchange and fire timers until both sides are done or *until* passes."""
        self.transfer()
        while (deadline := self.deadline()) is not None and deadline <= until:
            now = self.clock.advance_to(deadline)
            self.client.handle_timer(now)
            if self.server is not None:
                self.server.handle_timer(now)
            self.transfer()
        self._collect()
