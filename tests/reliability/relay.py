"""A lossy UDP relay on loopback: drops, duplicates and reorders datagrams.

The client sends to `relay.front`; the relay forwards from its back socket
to the server, and the server's answers (sent back to the back socket, the
source it saw, RFC 3581) go to the last client address. Every decision comes
from one seeded `random.Random`, so a run's impairment pattern is the same
each time for the same traffic.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

Sockaddr = tuple[str, int]


@dataclass(frozen=True, kw_only=True)
class Impairment:
    """Probabilities applied to each datagram, in each direction.

    A datagram is dropped with `drop`, else sent twice with `duplicate`,
    else held back by up to `max_delay` seconds with `reorder` (so later
    datagrams overtake it).
    """

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    max_delay: float = 0.1
    #: Which directions are disturbed: "up" (client to server), "down".
    directions: tuple[str, ...] = ("up", "down")

    @property
    def total(self) -> float:
        return self.drop + self.duplicate + self.reorder


@dataclass
class Counters:
    """What the relay did, per direction ("up" is client to server)."""

    received: dict[str, int] = field(default_factory=lambda: {"up": 0, "down": 0})
    dropped: dict[str, int] = field(default_factory=lambda: {"up": 0, "down": 0})
    duplicated: dict[str, int] = field(default_factory=lambda: {"up": 0, "down": 0})
    reordered: dict[str, int] = field(default_factory=lambda: {"up": 0, "down": 0})


class _Side(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, Sockaddr], None]) -> None:
        self._on_datagram = on_datagram
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self._on_datagram(data, (str(addr[0]), int(addr[1])))  # type: ignore[call-overload]


class LossyRelay:
    """Create with `await LossyRelay.start(server, impairment, seed=...)`."""

    def __init__(self, server: Sockaddr, impairment: Impairment, seed: int) -> None:
        self.server = server
        self.impairment = impairment
        self.rng = random.Random(seed)
        self.counters = Counters()
        self.client: Sockaddr | None = None
        #: Every datagram that reached the relay from the server, in order:
        #: a wire tap at the client's side ("which requests were answered").
        self.downstream: list[bytes] = []
        #: Every datagram that reached the relay from the client, in order.
        self.upstream: list[bytes] = []
        self._front: _Side | None = None
        self._back: _Side | None = None

    @classmethod
    async def start(
        cls, server: Sockaddr, impairment: Impairment = Impairment(), *, seed: int = 0
    ) -> LossyRelay:
        loop = asyncio.get_running_loop()
        relay = cls(server, impairment, seed)
        _, relay._front = await loop.create_datagram_endpoint(
            lambda: _Side(relay._from_client), local_addr=("127.0.0.1", 0)
        )
        _, relay._back = await loop.create_datagram_endpoint(
            lambda: _Side(relay._from_server), local_addr=("127.0.0.1", 0)
        )
        return relay

    @property
    def front(self) -> Sockaddr:
        """Where the client sends: the relay's client-facing address."""
        assert self._front is not None and self._front.transport is not None
        host, port = self._front.transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    def _from_client(self, data: bytes, addr: Sockaddr) -> None:
        self.client = addr
        self.upstream.append(data)
        assert self._back is not None
        self._impair("up", data, self._back, self.server)

    def _from_server(self, data: bytes, addr: Sockaddr) -> None:
        self.downstream.append(data)
        if self.client is None or self._front is None:
            return
        self._impair("down", data, self._front, self.client)

    def _impair(self, direction: str, data: bytes, side: _Side, to: Sockaddr) -> None:
        c, imp = self.counters, self.impairment
        c.received[direction] += 1
        if direction not in imp.directions:
            self._send(side, data, to)
            return
        roll = self.rng.random()
        if roll < imp.drop:
            c.dropped[direction] += 1
            return
        if roll < imp.drop + imp.duplicate:
            c.duplicated[direction] += 1
            self._send(side, data, to)
            self._send(side, data, to)
            return
        if roll < imp.total:
            c.reordered[direction] += 1
            delay = self.rng.uniform(0.0, imp.max_delay)
            # A late send after close() finds the socket closing and drops.
            asyncio.get_running_loop().call_later(delay, self._send, side, data, to)
            return
        self._send(side, data, to)

    @staticmethod
    def _send(side: _Side, data: bytes, to: Sockaddr) -> None:
        if side.transport is not None and not side.transport.is_closing():
            side.transport.sendto(data, to)

    def close(self) -> None:
        for side in (self._front, self._back):
            if side is not None and side.transport is not None:
                side.transport.close()
