"""A burst of datagrams is read in runs: each reaches the agent, in order.

Real sockets on loopback. Datagrams sent before the loop turns are all in
the kernel's queue at its next wake-up, so they are read in one run.
"""

from __future__ import annotations

import asyncio
import socket

from softphone.transport.base import Address
from softphone.transport.udp import UdpTransport


async def test_a_run_of_reads_tells_each_source_s_activity_once_and_hands_every_datagram() -> None:
    received: list[tuple[bytes, Address]] = []
    transport = await UdpTransport.bind(
        "127.0.0.1", 0, lambda data, source, _transport: received.append((data, source))
    )
    heard: list[Address] = []
    transport.activity_observers.add(heard.append)
    destination = ("127.0.0.1", transport.local.port)
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as one,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as two,
    ):
        one.bind(("127.0.0.1", 0))
        two.bind(("127.0.0.1", 0))
        first = Address("127.0.0.1", one.getsockname()[1])
        second = Address("127.0.0.1", two.getsockname()[1])
        # All in the queue before the loop reads any (loopback delivers at once).
        for n in range(5):
            one.sendto(b"one %d" % n, destination)
        two.sendto(b"two", destination)
        one.sendto(b"one again", destination)
        try:
            for _ in range(200):
                if len(received) == 7:
                    break
                await asyncio.sleep(0.01)
        finally:
            transport.close()
    assert received == [
        *((b"one %d" % n, first) for n in range(5)),
        (b"two", second),
        (b"one again", first),
    ]
    # Told when the source changes within the run, not once per datagram.
    assert heard == [first, second, first]
