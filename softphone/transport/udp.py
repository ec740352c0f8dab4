"""UDP transport: one datagram is one message (RFC 3261 18.1.1, 18.2.1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import cast

from softphone.listeners import Listeners
from softphone.transport.base import Address, ErrorReceiver, Receiver, TransportKind

log = logging.getLogger(__name__)

#: Receive buffer asked of the kernel for each UDP socket.
RECEIVE_BUFFER = 4 * 1024 * 1024

#: The largest UDP payload there is; anything the kernel hands us is at most this.
MAX_DATAGRAM = 65_535


class UdpTransport(asyncio.DatagramProtocol):
    """A bound UDP socket that hands every datagram to the user agent.

    Create it with `await UdpTransport.bind(...)`; the socket exists only once
    the event loop runs, never in a constructor.
    """

    kind = TransportKind.UDP

    def __init__(self, receiver: Receiver, on_error: ErrorReceiver | None = None) -> None:
        self._receiver = receiver
        self._on_error = on_error
        self._transport: asyncio.DatagramTransport | None = None
        self.local = Address("0.0.0.0", 0)
        #: Called with the source of every datagram: anything from the
        #: server proves the flow alive (the keep-alive probes only silence).
        self.activity_observers: Listeners[[Address]] = Listeners("datagram activity", log)

    @classmethod
    async def bind(
        cls,
        host: str,
        port: int,
        receiver: Receiver,
        on_error: ErrorReceiver | None = None,
    ) -> UdpTransport:
        """Bind a UDP socket on *host*:*port* (0 picks a free port).

        Raises:
            OSError: the address cannot be bound (in use, not local).
        """
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_datagram_endpoint(
            lambda: cls(receiver, on_error), local_addr=(host, port)
        )
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # A burst of MESSAGEs (or their 200s) arrives faster than one
            # loop iteration drains them; the default buffer (~200 KB) then
            # drops datagrams that cost a retransmission each. The kernel
            # caps the value at net.core.rmem_max.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        self.local = Address.from_sockaddr(transport.get_extra_info("sockname"))

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        # Thin adapter: receive, let the agent process, let it transmit.
        # A bug in processing one datagram must never stop the socket.
        try:
            source = Address.from_sockaddr(addr)
            self.activity_observers(source)
            self._receiver(data, source, self)
        except Exception:
            log.exception("error while handling a datagram from %s", addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP errors on an unconnected socket do not say which destination
        # failed; transactions to it end by timer F instead.
        log.debug("UDP socket error: %s", exc)

    def send(self, data: bytes, destination: Address, *, server_name: str | None = None) -> None:
        """Queue one datagram; drops it (with a log line) when the socket is closed."""
        if self._transport is None or self._transport.is_closing():
            log.warning("UDP transport closed; dropping %d bytes to %s", len(data), destination)
            return
        self._transport.sendto(data, (destination.host, destination.port))

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
