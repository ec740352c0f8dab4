"""An in-memory network: user agents on one event loop talk without sockets.

Each bound `MemoryTransport` has an address on the `MemoryNetwork`; `send`
hands the bytes to the transport bound at the destination on the next loop
turn, as one datagram, with the sender's address as the source. Nothing is
lost, duplicated or reordered (tests that want loss use a real relay). A
destination nobody is bound at drops the bytes, as UDP would.

Used to run whole flows (the window, the services, the embedded server)
without ports: set `UserAgent.network` before `listen()`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from softphone.transport.base import Address, Receiver, TransportKind

log = logging.getLogger(__name__)

__all__ = ["MemoryNetwork", "MemoryTransport"]


class MemoryTransport:
    """A transport bound on a `MemoryNetwork`; see the module docstring."""

    def __init__(
        self, network: MemoryNetwork, kind: TransportKind, local: Address, receiver: Receiver
    ) -> None:
        self.kind = kind
        self.local = local
        self._network = network
        self._receiver = receiver
        self.closed = False

    def send(self, data: bytes, destination: Address, *, server_name: str | None = None) -> None:
        """Queue *data* for whoever is bound at *destination*; never blocks."""
        if not self.closed:
            self._network.deliver(self, data, destination)

    def close(self) -> None:
        """Unbind: nothing more is sent or received."""
        self.closed = True
        self._network.unbind(self)

    def _receive(self, data: bytes, source: Address) -> None:
        if self.closed:
            return
        try:
            self._receiver(data, source, self)
        except Exception:
            log.exception("error while handling a message from %s", source)


class MemoryNetwork:
    """Addresses and the transports bound at them, per transport kind."""

    def __init__(self) -> None:
        self._bound: dict[tuple[TransportKind, Address], MemoryTransport] = {}
        self._ports = itertools.count(20_000)
        #: Every datagram handed over: (kind, source, destination, bytes).
        self.log: list[tuple[TransportKind, Address, Address, bytes]] = []

    def bind(
        self, kind: TransportKind, host: str, port: int, receiver: Receiver
    ) -> MemoryTransport:
        """Bind *kind* at *host*:*port* (0 picks a free port).

        Raises:
            OSError: the address is taken.
        """
        if port == 0:
            port = next(p for p in self._ports if (kind, Address(host, p)) not in self._bound)
        address = Address(host, port)
        if (kind, address) in self._bound:
            raise OSError(f"[Errno 98] Address already in use: {address}")
        transport = MemoryTransport(self, kind, address, receiver)
        self._bound[(kind, address)] = transport
        return transport

    def unbind(self, transport: MemoryTransport) -> None:
        key = (transport.kind, transport.local)
        if self._bound.get(key) is transport:
            del self._bound[key]

    def deliver(self, sender: MemoryTransport, data: bytes, destination: Address) -> None:
        self.log.append((sender.kind, sender.local, destination, data))
        target = self._bound.get((sender.kind, destination))
        if target is None:
            log.debug("nobody at %s %s: dropped", sender.kind.value, destination)
            return
        asyncio.get_running_loop().call_soon(target._receive, data, sender.local)
