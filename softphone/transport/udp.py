"""UDP transport: one datagram is one message (RFC 3261 18.1.1, 18.2.1)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import cast

from softphone.listeners import Listeners
from softphone.transport.base import Address, ErrorReceiver, Receiver, TransportKind

log = logging.getLogger(__name__)

#: Receive buffer asked of the kernel for each UDP socket.
RECEIVE_BUFFER = 4 * 1024 * 1024

#: The largest UDP payload there is; anything the kernel hands us is at most this.
MAX_DATAGRAM = 65_535

#: A destination that sent us something this recently is not probed again.
HEARD_FRESH = 30.0

#: How long a probe waits for the ICMP "port unreachable" before it ends
#: (on the way it takes one round trip; silence proves nothing). Anything
#: heard from the destination ends it sooner: something listens there.
PROBE_WAIT = 2.0

#: At most this many probes at once, and this many destinations remembered.
MAX_PROBES = 64
MAX_REMEMBERED = 1024

#: Most datagrams read in one turn of the event loop. A burst is read in
#: runs (one wake-up and one loop turn for many datagrams, not one each);
#: the cap keeps a flood from starving timers and the other transports.
READ_BATCH = 32

#: What a probe sends: an RFC 5626 keep-alive ping, which a SIP server
#: ignores (or answers with a pong) and which carries nothing.
PROBE = b"\r\n\r\n"


@dataclass(slots=True)
class _Probe:
    """A socket connected to a destination, and when to stop listening on it."""

    sock: socket.socket
    timer: asyncio.TimerHandle


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
        #: Our own handle on the bound socket (a dup of the transport's),
        #: read directly to drain a burst in one loop turn.
        self._sock: socket.socket | None = None
        self.local = Address("0.0.0.0", 0)
        #: Called with the source of every datagram: anything from the
        #: server proves the flow alive (the keep-alive probes only silence).
        self.activity_observers: Listeners[[Address]] = Listeners("datagram activity", log)
        #: Called with (destination, reason) when a probe finds nothing
        #: listening there: the flow to it is dead (as a stream's loss).
        self.loss_observers: Listeners[[Address, str]] = Listeners("datagram loss", log)
        #: Destinations probed, with when we last heard from them.
        self._heard: dict[Address, float] = {}
        self._probes: dict[Address, _Probe] = {}
        #: Datagrams sent during this turn of the loop, written together at
        #: its end (see `send`), and the callback that writes them.
        self._outgoing: list[tuple[bytes, tuple[str, int]]] = []
        self._sources: dict[tuple[str | object, ...], Address] = {}
        #: The source of the datagram before, in this run of reads: its
        #: activity is already told.
        self._told: Address | None = None
        self._flush_handle: asyncio.Handle | None = None

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
            with contextlib.suppress(OSError):
                self._sock = sock.dup()  # non-blocking, as the original
        self.local = Address.from_sockaddr(transport.get_extra_info("sockname"))

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        # Thin adapter: receive, let the agent process, let it transmit.
        self._told = None
        woke = self._handle(data, addr)
        # Then whatever else is already queued, up to READ_BATCH in this turn:
        # under load each turn of the loop costs as much as a small message.
        # A response that woke a coroutine awaiting it ends the run: it must
        # run before the next datagram is handled, as it did when each
        # datagram had a turn of its own (the receiver says so).
        sock = self._sock
        transport = self._transport
        for _ in range(READ_BATCH - 1):
            if sock is None or woke or transport is None or transport.is_closing():
                return
            try:
                data, addr = sock.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return  # drained
            except OSError as exc:
                self.error_received(exc)
                return
            woke = self._handle(data, addr)

    def _handle(self, data: bytes, addr: tuple[str | object, ...]) -> bool:
        # A bug in processing one datagram must never stop the socket.
        try:
            # One Address per peer socket, not one per datagram: a burst
            # mostly comes from few (a server's flow, a load generator).
            source = self._sources.get(addr)
            if source is None:
                if len(self._sources) >= MAX_REMEMBERED:
                    self._sources.clear()
                source = self._sources[addr] = Address.from_sockaddr(addr)
            if source is not self._told:
                # Once per source in a run of reads: a burst mostly comes
                # from one peer, and it is heard from as much once as each time.
                self._told = source
                if source in self._heard:
                    self._heard[source] = asyncio.get_running_loop().time()
                    if source in self._probes:
                        self._end_probe(source)  # it answered: something listens
                self.activity_observers(source)
            return bool(self._receiver(data, source, self))
        except Exception:
            log.exception("error while handling a datagram from %s", addr)
            return True

    def error_received(self, exc: Exception) -> None:
        # ICMP errors on an unconnected socket do not say which destination
        # failed: `probe` asks from a connected one instead.
        log.debug("UDP socket error: %s", exc)

    def probe(self, destination: Address, *, silent_since: float | None = None) -> None:
        """Find out at once whether nothing listens at *destination*.

        The listening socket is unconnected, and the kernel reports an ICMP
        "port unreachable" only on a connected UDP socket, where it says
        which destination failed. A socket connected to *destination* gets it, as
        "connection refused": then every transaction to *destination* fails
        with that reason through *on_error*, and `loss_observers` are told,
        so the caller moves on to the next server (RFC 3263 4.3) and the
        registration knows its flow is dead instead of waiting for timer F.
        Skipped for a destination being probed, or heard from within
        `HEARD_FRESH`; with *silent_since* (loop time), when a request went
        out that is still unanswered, skipped only if heard from since then:
        a server that died just after its last answer was heard from
        recently, and only the silence since says it is gone.
        """
        if self._on_error is None or destination in self._probes:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        heard = self._heard.get(destination)
        if heard is not None and (
            now - heard < HEARD_FRESH if silent_since is None else heard >= silent_since
        ):
            return
        if len(self._probes) >= MAX_PROBES:
            return
        try:
            ip = ipaddress.ip_address(destination.host)
        except ValueError:
            return  # a name, not an address: the request's own send finds out
        self._heard.pop(destination, None)
        self._heard[destination] = -HEARD_FRESH  # newest last; heard from: never yet
        self._told = None  # its next datagram ends the probe, even in this run
        while len(self._heard) > MAX_REMEMBERED:
            del self._heard[next(iter(self._heard))]
        # A plain non-blocking socket watched by the loop's selector: no task
        # and no transport to set up, so a probe costs no loop turn of its
        # own, and its one timer is cancelled as soon as the destination
        # answers anything.
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.connect((destination.host, destination.port))
        except OSError as exc:  # no route at all: the request's own send says so
            log.debug("cannot probe %s: %s", destination, exc)
            sock.close()
            return
        loop.add_reader(sock.fileno(), self._probe_readable, destination)
        timer = loop.call_later(PROBE_WAIT, self._end_probe, destination)
        self._probes[destination] = _Probe(sock, timer)
        # After the request, which `flush` writes at the end of this turn.
        loop.call_soon(self._send_probe, destination)

    def _send_probe(self, destination: Address) -> None:
        probe = self._probes.get(destination)
        if probe is None:
            return
        try:
            probe.sock.send(PROBE)
        except OSError as exc:
            log.debug("cannot probe %s: %s", destination, exc)
            self._end_probe(destination)

    @property
    def probing(self) -> frozenset[Address]:
        """The destinations being probed now."""
        return frozenset(self._probes)

    def _probe_readable(self, destination: Address) -> None:
        probe = self._probes.get(destination)
        if probe is None:
            return
        try:
            probe.sock.recv(MAX_DATAGRAM)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionRefusedError:
            self._end_probe(destination)
            log.info("nothing listens at %s (connection refused)", destination)
            if self._on_error is not None and not self._closing():
                self._on_error(destination, self, "connection refused")
                self.loss_observers(destination, "connection refused")
            return
        except OSError as exc:
            log.debug("probe to %s: %s", destination, exc)
        # An answer (a pong) or another error: nothing more to learn.
        self._end_probe(destination)

    def _end_probe(self, destination: Address) -> None:
        probe = self._probes.pop(destination, None)
        if probe is None:
            return
        probe.timer.cancel()
        with contextlib.suppress(Exception):  # the loop may be closed already
            asyncio.get_running_loop().remove_reader(probe.sock.fileno())
        probe.sock.close()

    def _closing(self) -> bool:
        return self._transport is None or self._transport.is_closing()

    def send(self, data: bytes, destination: Address, *, server_name: str | None = None) -> None:
        """Queue one datagram; drops it (with a log line) when the socket is closed.

        What is sent during one turn of the loop goes out together right
        after it, in order. A datagram to a peer asleep in its poll costs a
        wake-up of that peer (on loopback, most of the `sendto`); written
        back to back, a burst of answers wakes it once, not once each.
        """
        if self._transport is None or self._transport.is_closing():
            log.warning("UDP transport closed; dropping %d bytes to %s", len(data), destination)
            return
        self._outgoing.append((data, (destination.host, destination.port)))
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write every queued datagram now (a loop callback; `close` calls it too)."""
        self._flush_handle = None
        outgoing, self._outgoing = self._outgoing, []
        transport = self._transport
        if transport is None or transport.is_closing():
            if outgoing:
                log.warning("UDP transport closed; dropping %d datagrams", len(outgoing))
            return
        # Straight to the socket while asyncio holds nothing back (its
        # buffer keeps the order once the kernel's is full).
        sock = self._sock if not transport.get_write_buffer_size() else None
        for data, addr in outgoing:
            if sock is not None:
                try:
                    sock.sendto(data, addr)
                    continue
                except (BlockingIOError, InterruptedError):
                    # The kernel's buffer is full: asyncio waits for room,
                    # and the rest go after it, in order.
                    sock = None
                except OSError as exc:
                    self.error_received(exc)  # as asyncio's own sendto does
                    continue
            transport.sendto(data, addr)

    def connection_lost(self, exc: Exception | None) -> None:
        self._release_sock()

    def _release_sock(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        for destination in list(self._probes):
            self._end_probe(destination)
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        self.flush()  # what was sent before closing still goes
        self._release_sock()
        if self._transport is not None:
            self._transport.close()
