"""TCP and TLS transports: messages framed by Content-Length (RFC 3261 18.3).

One listening socket accepts connections; outgoing connections are opened on
first use and kept, keyed by the peer's address, so that a response goes back
on the connection its request came in on (RFC 3261 18.2.2).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from typing import cast

from softphone.listeners import Listeners
from softphone.sip.errors import ParseError
from softphone.sip.framing import StreamFramer
from softphone.sip.uas import answer_unparseable
from softphone.transport.base import Address, ErrorReceiver, Receiver, TransportKind
from softphone.transport.tls import client_context

log = logging.getLogger(__name__)

#: Connections beyond this many are refused so a flood of sockets cannot
#: grow memory without bound.
MAX_CONNECTIONS = 1024

#: Connections one source address may hold open to us at once: enough for a
#: few devices behind one NAT or a server's flows, too few to take every
#: slot of `MAX_CONNECTIONS`.
MAX_PER_SOURCE = 16

#: An accepted connection with no complete message and no keep-alive for
#: this long is closed. RFC 5626 keep-alives come every 25 s or so, and a
#: server's own flows to us are ones we opened (never timed out here).
IDLE_TIMEOUT = 120.0

#: An accepted connection holding half a message for this long is closed:
#: the rest of a real message follows within a round trip.
PARTIAL_TIMEOUT = 30.0

#: A keep-alive pong (RFC 5626 4.4.1): the answer to a CRLFCRLF ping.
PONG = b"\r\n"

#: After answering a message too large with 413, the rest the peer sends is
#: read and dropped for this long, so the answer is not lost to a reset
#: (closing a socket with unread data resets it); then the connection closes.
DRAIN_TIMEOUT = 5.0


class _Connection(asyncio.Protocol):
    """One TCP or TLS connection with its framer."""

    def __init__(self, owner: StreamTransport, peer: Address | None) -> None:
        self._owner = owner
        self.peer = peer
        self._framer = StreamFramer(max_size=owner.max_message_size)
        self._transport: asyncio.Transport | None = None
        self.pending: list[bytes] = []
        #: True once we decided to close: the loss is then no peer failure.
        self.closing = False
        #: True for a connection the peer opened (the timeouts apply to it).
        self.accepted = peer is None
        #: True while it counts against its source's `max_per_source`.
        self.counted = False
        now = asyncio.get_running_loop().time()
        #: When the framer last held no partial message (a message or a ping
        #: ended there), and since when it holds one.
        self.last_activity = now
        self.partial_since: float | None = None
        #: After a 413: what the peer still sends is dropped until it closes.
        self.draining = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        if self.peer is None:  # accepted: learn who called
            self.peer = Address.from_sockaddr(transport.get_extra_info("peername"))
            if not self._owner._adopt(self):
                self._transport.close()
                return
        for data in self.pending:
            self._transport.write(data)
        self.pending.clear()

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None
        if self.draining:
            return  # the rest of a message already answered 413
        self._owner.activity_observers(self.peer)
        pings_before = self._framer.pings
        try:
            messages = self._framer.feed(data)
        except ParseError as exc:
            # RFC 3261 18.3: a stream we cannot frame cannot be resynchronised;
            # close it rather than buffer what the peer claims is coming.
            log.warning("closing stream from %s: %s", self.peer, exc.reason)
            answered = self._answer_refused(exc)
            self._owner._report_error(self.peer, exc.reason)
            if answered:
                self._drain()
            else:
                self.close()
            return
        now = asyncio.get_running_loop().time()
        if messages or self._framer.pings != pings_before:
            self.last_activity = now
        if self._framer.buffered:
            if self.partial_since is None or messages:
                self.partial_since = now
        else:
            self.partial_since = None
        if self._framer.pings != pings_before:
            self.write(PONG)
        for message in messages:
            try:
                self._owner._receiver(message, self.peer, self._owner)
            except Exception:
                log.exception("error while handling a message from %s", self.peer)

    def _answer_refused(self, exc: ParseError) -> bool:
        """Answer a message the framer refused (413) when its header can be read.

        The peer then learns why (RFC 3261 21.4.11) instead of seeing a reset.
        A response or a request without Via, Call-ID or CSeq gets nothing.
        """
        head = self._framer.refused_head
        if exc.status != 413 or head is None or self._transport is None or self.peer is None:
            return False
        found = answer_unparseable(exc, head, (self.peer.host, self.peer.port), reliable=True)
        if found is None:
            return False
        # On a stream the answer goes back on the connection the request came
        # on (RFC 3261 18.2.2), whatever its Via says.
        self._transport.write(found[0])
        return True

    def _drain(self) -> None:
        """Send what was written, stop reading messages, close a little later.

        The write side is shut (FIN after the answer) when the transport can;
        what the peer still sends is dropped, never buffered.
        """
        assert self._transport is not None
        self.draining = True
        self.closing = True  # our decision: its end is no peer failure
        if self._transport.can_write_eof():
            self._transport.write_eof()
        asyncio.get_running_loop().call_later(self._owner.drain_timeout, self.close)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None:
            self._owner._forget(self)
            if self.closing:
                return
            # A peer that closes (or resets) the connection will never send
            # the responses still awaited on it: fail those transactions now
            # rather than at timer F (RFC 3261 17.1.4). Completed ones ignore it.
            reason = "connection closed by peer" if exc is None else f"connection lost: {exc}"
            self._owner._report_error(self.peer, reason)

    def write(self, data: bytes) -> None:
        if self._transport is None:
            self.pending.append(data)
        elif not self._transport.is_closing() and not self.draining:
            self._transport.write(data)

    def close(self) -> None:
        self.closing = True
        if self._transport is not None:
            self._transport.close()


class StreamTransport:
    """A TCP (or, with an SSL context, TLS) listener plus its connections.

    Create it with `await StreamTransport.bind(...)`.
    """

    def __init__(
        self,
        kind: TransportKind,
        receiver: Receiver,
        on_error: ErrorReceiver | None,
        *,
        client_ssl: ssl.SSLContext | None,
        max_message_size: int,
        max_per_source: int = MAX_PER_SOURCE,
        idle_timeout: float = IDLE_TIMEOUT,
        partial_timeout: float = PARTIAL_TIMEOUT,
    ) -> None:
        self.kind = kind
        self.max_per_source = max_per_source
        self.idle_timeout = idle_timeout
        self.partial_timeout = partial_timeout
        self.drain_timeout = DRAIN_TIMEOUT
        #: Accepted connections per source host, for `max_per_source`.
        self._per_source: dict[str, int] = {}
        self._sweeper: asyncio.TimerHandle | None = None
        self._receiver = receiver
        self._on_error = on_error
        self._client_ssl = client_ssl
        self.max_message_size = max_message_size
        self._connections: dict[Address, _Connection] = {}
        self._server: asyncio.Server | None = None
        #: The bound, never listening socket of a TLS transport without a
        #: certificate: it holds the port our Contact names.
        self._reserved: socket.socket | None = None
        # The loop keeps only weak references to tasks: hold the connects.
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.local = Address("0.0.0.0", 0)
        #: Keep-alive hooks (RFC 5626 4.4.1): called with the peer for any
        #: bytes read on a connection (a pong, or a message: both prove the
        #: flow alive), and with (peer, reason) when a connection fails.
        self.activity_observers: Listeners[[Address]] = Listeners("stream activity", log)
        self.loss_observers: Listeners[[Address, str]] = Listeners("stream loss", log)

    @classmethod
    async def bind(
        cls,
        kind: TransportKind,
        host: str,
        port: int,
        receiver: Receiver,
        on_error: ErrorReceiver | None = None,
        *,
        server_ssl: ssl.SSLContext | None = None,
        client_ssl: ssl.SSLContext | None = None,
        max_message_size: int = 65_535,
        max_per_source: int = MAX_PER_SOURCE,
        idle_timeout: float = IDLE_TIMEOUT,
        partial_timeout: float = PARTIAL_TIMEOUT,
    ) -> StreamTransport:
        """Listen on *host*:*port* (0 picks a free port).

        For TLS, *server_ssl* is needed to accept connections and
        *client_ssl* (verifying by default) to open them. A source address
        may hold *max_per_source* accepted connections; an accepted
        connection is closed after *idle_timeout* seconds without a message
        or keep-alive, or *partial_timeout* seconds holding half a message.

        TLS without *server_ssl* accepts nothing: the port is bound (so a
        Contact can name it) but never listens, and requests reach us only on
        the connections we open (RFC 5626 flows). A TLS account listens on
        TLS or not at all, never on cleartext TCP.

        Raises:
            OSError: the address cannot be bound.
        """
        self = cls(
            kind,
            receiver,
            on_error,
            client_ssl=client_ssl,
            max_message_size=max_message_size,
            max_per_source=max_per_source,
            idle_timeout=idle_timeout,
            partial_timeout=partial_timeout,
        )
        loop = asyncio.get_running_loop()
        if kind is TransportKind.TLS and server_ssl is None:
            family, type_, proto, _, sockaddr = (
                await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
            )[0]
            reserved = socket.socket(family, type_, proto)
            try:
                reserved.bind(sockaddr)
            except OSError:
                reserved.close()
                raise
            self._reserved = reserved
            self.local = Address.from_sockaddr(reserved.getsockname())
            return self
        self._server = await loop.create_server(
            lambda: _Connection(self, None), host, port, ssl=server_ssl
        )
        self.local = Address.from_sockaddr(self._server.sockets[0].getsockname())
        return self

    @property
    def accepting(self) -> bool:
        """True when peers can open connections to us (a listening socket)."""
        return self._server is not None

    def send(self, data: bytes, destination: Address, *, server_name: str | None = None) -> None:
        """Write on the connection to *destination*, opening one if needed.

        A failure to connect is reported through the error receiver, never
        raised. After `close()` the data is dropped.
        """
        if self._closed:
            log.warning("%s transport closed; dropping %d bytes", self.kind.value, len(data))
            return
        connection = self._connections.get(destination)
        if connection is None:
            if len(self._connections) >= MAX_CONNECTIONS:
                self._report_error(destination, "too many open connections")
                return
            connection = _Connection(self, destination)
            self._connections[destination] = connection
            task = asyncio.get_running_loop().create_task(
                self._connect(connection, destination, server_name)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        connection.write(data)

    def has_connection(self, peer: Address) -> bool:
        """True while a connection to or from *peer* is open or opening."""
        return peer in self._connections

    async def _connect(
        self, connection: _Connection, destination: Address, server_name: str | None
    ) -> None:
        loop = asyncio.get_running_loop()
        context: ssl.SSLContext | None = None
        hostname: str | None = None
        if self.kind is TransportKind.TLS:
            # Verification is on unless the caller passed a context without it.
            context = self._client_ssl or client_context()
            hostname = server_name or destination.host
        try:
            await loop.create_connection(
                lambda: connection,
                destination.host,
                destination.port,
                ssl=context,
                server_hostname=hostname,
            )
        except (OSError, ssl.SSLError) as exc:
            # SSLCertVerificationError lands here too: a server we cannot
            # verify is a transport error of the transaction, never a silent
            # fallback to an unverified connection.
            if self._connections.get(destination) is connection:
                del self._connections[destination]
            self._report_error(destination, _connect_failure(exc))

    def _adopt(self, connection: _Connection) -> bool:
        assert connection.peer is not None
        if len(self._connections) >= MAX_CONNECTIONS:
            log.warning("refusing connection from %s: too many connections", connection.peer)
            return False
        host = connection.peer.host
        if self._per_source.get(host, 0) >= self.max_per_source:
            log.warning(
                "refusing connection from %s: %d open from that address",
                connection.peer,
                self.max_per_source,
            )
            return False
        self._per_source[host] = self._per_source.get(host, 0) + 1
        connection.counted = True
        self._connections[connection.peer] = connection
        self._arm_sweeper()
        return True

    def _forget(self, connection: _Connection) -> None:
        assert connection.peer is not None
        if connection.counted:
            connection.counted = False
            host = connection.peer.host
            left = self._per_source.get(host, 0) - 1
            if left > 0:
                self._per_source[host] = left
            else:
                self._per_source.pop(host, None)
        if self._connections.get(connection.peer) is connection:
            del self._connections[connection.peer]

    def _arm_sweeper(self) -> None:
        if self._sweeper is None and not self._closed:
            period = max(0.05, min(self.idle_timeout, self.partial_timeout) / 4)
            self._sweeper = asyncio.get_running_loop().call_later(period, self._sweep)

    def _sweep(self) -> None:
        """Close accepted connections that sent nothing, or half a message, too long."""
        self._sweeper = None
        now = asyncio.get_running_loop().time()
        accepted = [c for c in self._connections.values() if c.accepted and not c.closing]
        for connection in accepted:
            if connection.partial_since is not None:
                if now - connection.partial_since >= self.partial_timeout:
                    log.info("closing %s: half a message for too long", connection.peer)
                    connection.close()
            elif now - connection.last_activity >= self.idle_timeout:
                log.info("closing %s: nothing received for too long", connection.peer)
                connection.close()
        if any(c.accepted and not c.closing for c in self._connections.values()):
            self._arm_sweeper()

    def _report_error(self, peer: Address, reason: str) -> None:
        if self._on_error is not None:
            self._on_error(peer, self, reason)
        self.loss_observers(peer, reason)

    @property
    def connection_count(self) -> int:
        """How many connections are open or opening."""
        return len(self._connections)

    def close(self) -> None:
        """Stop listening, close every connection and cancel pending connects."""
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        for connection in list(self._connections.values()):
            connection.close()
        self._connections.clear()


def _connect_failure(exc: BaseException) -> str:
    """Why a connection could not be opened, in words (the user reads it)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = exc.verify_message or exc.reason or "unknown reason"
        return f"the server's certificate cannot be trusted (certificate verify failed: {why})"
    if isinstance(exc, TimeoutError):
        return "no answer to the connection"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot connect: {reason}"
