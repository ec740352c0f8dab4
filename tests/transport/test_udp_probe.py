"""A closed UDP port fails the transaction at once, on IPv4 and IPv6.

The listening socket is unconnected and hears nothing of an ICMP "port
unreachable"; `UdpTransport.probe` asks from a socket connected to the
destination, which does. Real sockets on loopback; the transactions keep
the default timers (timer F 32 s), so only the refusal can end them soon.
"""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from softphone.agent import TransactionFailed, UserAgent
from softphone.transport.base import Address, Target, TransportKind
from tests.transport.test_agent import make_request

UDP = TransportKind.UDP


def closed_port(family: int, host: str) -> int:
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    ("family", "host"), [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]
)
async def test_closed_port_is_refused_not_timed_out(family: int, host: str) -> None:
    if family == socket.AF_INET6 and not ipv6_loopback():
        if os.environ.get("CI") == "true":
            pytest.fail("no IPv6 loopback")
        pytest.skip("no IPv6 loopback on this machine")
    agent = UserAgent()
    await agent.listen(UDP, host, 0)
    destination = Address(host, closed_port(family, host))
    try:
        with pytest.raises(TransactionFailed) as failure:
            # Far below timer F (32 s): only the refusal can end it in time.
            await asyncio.wait_for(
                agent.request(make_request("OPTIONS", destination), Target(destination, UDP)), 10
            )
    finally:
        agent.close()
    assert (failure.value.timed_out, failure.value.reason) == (False, "connection refused")


async def test_a_live_peer_is_not_refused() -> None:
    alice, bob = UserAgent(), UserAgent()
    await alice.listen(UDP, "127.0.0.1", 0)
    await bob.listen(UDP, "127.0.0.1", 0)
    destination = bob.local_address(UDP)
    try:
        for _ in range(3):
            response = await asyncio.wait_for(
                alice.request(make_request("OPTIONS", destination), Target(destination, UDP)), 10
            )
            assert response.status == 200
    finally:
        alice.close()
        bob.close()
