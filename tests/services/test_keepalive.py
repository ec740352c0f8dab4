"""Keep-alives and dead-flow detection (RFC 5626 4.4) against small loopback servers."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import cast

import pytest

from softphone import wakeups
from softphone.account import Account, SettingsError
from softphone.agent import UserAgent
from softphone.config import load_account, save_account
from softphone.direction import Direction
from softphone.keepalive import PING, UDP_KEEPALIVE, KeepAlive, options_probe
from softphone.sip import Request, Response, SipUri
from softphone.sip.timers import TimerConfig
from softphone.trace import TraceEntry
from softphone.transport.base import Address, Target, TransportKind
from softphone.transport.udp import UdpTransport
from tests.services.scripted import ScriptedPeer, answer

FAST = TimerConfig(t1=0.01)  # timer F = 0.64 s
INTERVAL = 0.05


class PongServer(asyncio.Protocol):
    """A TCP peer that answers each CRLFCRLF ping with a CRLF pong while `answering`."""

    def __init__(self) -> None:
        self.answering = True
        self.pings = 0
        self.transport: asyncio.Transport | None = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while PING in self.buffer:
            self.buffer = self.buffer.replace(PING, b"", 1)
            self.pings += 1
            if self.answering and self.transport is not None:
                self.transport.write(b"\r\n")


class Deaths:
    """Records on_dead calls and lets a test wait for one."""

    def __init__(self) -> None:
        self.calls: list[tuple[Target, str]] = []
        self.event = asyncio.Event()

    def __call__(self, target: Target, reason: str) -> None:
        self.calls.append((target, reason))
        self.event.set()

    async def wait(self, timeout: float = 5.0) -> tuple[Target, str]:
        async with asyncio.timeout(timeout):
            await self.event.wait()
        return self.calls[0]


@pytest.fixture
async def agent() -> AsyncIterator[UserAgent]:
    ua = UserAgent(timers=FAST)
    await ua.listen(TransportKind.UDP, "127.0.0.1", 0)
    await ua.listen(TransportKind.TCP, "127.0.0.1", 0)
    yield ua
    ua.close()


async def pong_server() -> tuple[PongServer, asyncio.Server, Target]:
    protocol = PongServer()
    server = await asyncio.get_running_loop().create_server(lambda: protocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return protocol, server, Target(Address("127.0.0.1", port), TransportKind.TCP)


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_tcp_pings_are_answered_and_the_flow_stays_alive(agent: UserAgent) -> None:
    protocol, server, target = await pong_server()
    deaths = Deaths()
    keepalive = KeepAlive(
        agent, interval=INTERVAL, pong_timeout=1.0, on_dead=deaths, rng=random.Random(1)
    )
    try:
        keepalive.watch(target)
        await wait_until(lambda: keepalive.pongs >= 3)
        assert protocol.pings >= 3
        assert keepalive.pings - keepalive.pongs <= 1  # at most one ping in flight
        assert deaths.calls == []
        assert keepalive.running and keepalive.target == target
    finally:
        keepalive.stop()
        server.close()


async def test_tcp_flow_without_pong_is_dead(agent: UserAgent) -> None:
    protocol, server, target = await pong_server()
    deaths = Deaths()
    keepalive = KeepAlive(agent, interval=INTERVAL, pong_timeout=0.3, on_dead=deaths)
    try:
        keepalive.watch(target)
        await wait_until(lambda: keepalive.pongs >= 1)
        protocol.answering = False  # the server hangs (like SIGSTOP)
        dead_target, reason = await deaths.wait()
        assert dead_target == target
        assert reason == "no answer to a keep-alive within 0.3 s"
        assert not keepalive.running
        # Reported once; no more pings after the verdict.
        pings = protocol.pings
        await asyncio.sleep(INTERVAL * 4)
        assert len(deaths.calls) == 1 and protocol.pings == pings
    finally:
        keepalive.stop()
        server.close()


async def test_tcp_connection_closed_by_the_server_is_dead_at_once(agent: UserAgent) -> None:
    protocol, server, target = await pong_server()
    deaths = Deaths()
    # A long interval: only the connection loss can end the flow quickly.
    keepalive = KeepAlive(agent, interval=30.0, pong_timeout=10.0, on_dead=deaths)
    try:
        # The registration opened the flow; here one ping-sized write does.
        transport = agent.transport(TransportKind.TCP)
        assert transport is not None
        transport.send(PING, target.address)
        await wait_until(lambda: protocol.transport is not None)
        keepalive.watch(target)
        assert protocol.transport is not None
        protocol.transport.close()
        dead_target, reason = await deaths.wait()
        assert dead_target == target
        assert reason == "connection closed by peer"
        assert not keepalive.running
    finally:
        keepalive.stop()
        server.close()


async def test_udp_sends_crlf_and_a_silent_server_fails_the_probe(agent: UserAgent) -> None:
    answering = True

    def script(request: Request) -> list[Response]:
        return [answer(request, 200)] if answering else []

    peer = await ScriptedPeer.start(script)
    crlfs: list[bytes] = []
    original = peer.datagram_received

    def datagram_received(data: bytes, addr: tuple[str, int]) -> None:
        if data == UDP_KEEPALIVE:
            crlfs.append(data)
            return
        original(data, addr)

    peer.datagram_received = datagram_received  # type: ignore[method-assign]
    target = Target(peer.address, TransportKind.UDP)
    deaths = Deaths()
    keepalive = KeepAlive(
        agent,
        interval=INTERVAL,
        on_dead=deaths,
        probe=options_probe(agent, SipUri.parse("sip:alice@example.test")),
        probe_every=2,
    )
    try:
        keepalive.watch(target)
        await peer.wait_for(2)
        assert [r.method for r in peer.requests[:2]] == ["OPTIONS", "OPTIONS"]
        assert str(peer.requests[0].uri) == f"sip:{peer.address.sent_by}"
        # Silence in the first interval already asks; then every 2nd one.
        assert len(crlfs) >= 2 and deaths.calls == []
        answering = False
        dead_target, reason = await deaths.wait()
        assert dead_target == target
        assert reason == f"no answer after {agent.timers.timeout:g} s"
    finally:
        keepalive.stop()
        peer.close()


async def test_watch_switches_flows_and_stop_ends_them(agent: UserAgent) -> None:
    first, server1, target1 = await pong_server()
    second, server2, target2 = await pong_server()
    deaths = Deaths()
    keepalive = KeepAlive(agent, interval=INTERVAL, pong_timeout=1.0, on_dead=deaths)
    try:
        keepalive.watch(target1)
        await wait_until(lambda: first.pings >= 1)
        keepalive.watch(target2)
        await wait_until(lambda: second.pings >= 2)
        pings_first = first.pings
        keepalive.watch(target2)  # the same flow: nothing restarts
        assert keepalive.target == target2
        keepalive.stop()
        pings_second = second.pings
        await asyncio.sleep(INTERVAL * 4)
        assert (first.pings, second.pings) == (pings_first, pings_second)
        assert deaths.calls == [] and not keepalive.running
    finally:
        keepalive.stop()
        server1.close()
        server2.close()


@pytest.mark.parametrize(
    "options",
    [{"interval": 0}, {"interval": -1}, {"pong_timeout": 0}, {"probe_every": 0}],
)
async def test_bad_settings_are_refused(agent: UserAgent, options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        KeepAlive(agent, on_dead=lambda _t, _r: None, **options)  # type: ignore[arg-type]


# -- the settings that drive it -------------------------------------------------------


def test_account_keepalive_and_dns_settings_round_trip(tmp_path: Path) -> None:
    default = Account("sip:alice@example.test")
    assert (default.keepalive_interval, default.dns_server, default.registrar) == (25, None, None)
    account = Account("sip:alice@example.test", keepalive_interval=0, dns_server="[::1]:5353")
    path = tmp_path / "account.toml"
    save_account(account, path)
    assert load_account(path) == account
    save_account(default, path)
    text = path.read_text()
    assert "keepalive_interval" not in text and "dns_server" not in text
    assert load_account(path) == default


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("keepalive_interval", 3, "The keep-alive interval must be 0 (off)"),
        ("keepalive_interval", True, "The keep-alive interval must be 0 (off)"),
        ("keepalive_interval", 7200, "The keep-alive interval must be 0 (off)"),
        (
            "dns_server",
            "dns.example.com",
            "The DNS server must be an IP address with an optional port",
        ),
        ("dns_server", "127.0.0.1:0", "The DNS server must be an IP address with an optional port"),
    ],
)
def test_bad_keepalive_and_dns_settings_say_what_to_fix(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(SettingsError) as info:
        Account("sip:alice@example.test", **{field: value})  # type: ignore[arg-type]
    assert str(info.value).startswith(message)


async def test_a_udp_keepalive_round_leaves_one_wakeup_armed() -> None:
    # Each round: a CRLF, and (the server silent for an interval) an OPTIONS
    # whose answer ends the round. After the answer one wake-up is armed,
    # the next tick: the probe of the destination ended with the answer,
    # the keep-alive's wait for it was cancelled, and the OPTIONS's timer
    # K (T4, RFC 3261 17.1.2.2) is freed at the tick rather than on a
    # wake-up of its own.
    agent = UserAgent(timers=TimerConfig(t1=0.01, t4=0.05))
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    peer = await ScriptedPeer.start(lambda request: [answer(request, 200)])
    target = Target(peer.address, TransportKind.UDP)
    udp = agent.transport(TransportKind.UDP)
    assert isinstance(udp, UdpTransport)
    deaths = Deaths()
    keepalive = KeepAlive(
        agent,
        interval=0.2,
        on_dead=deaths,
        probe=options_probe(agent, SipUri.parse("sip:alice@example.test")),
        probe_every=1,
    )
    rounds: list[tuple[list[float], frozenset[Address]]] = []
    agent_timer: list[float | None] = []
    loop = asyncio.get_running_loop()

    def after_answer() -> None:
        # The agent has handed the answer on; the keep-alive has re-armed.
        tick = keepalive.next_wakeup
        assert tick is not None
        armed = wakeups.for_loop().times()
        rounds.append(([when - tick for when in armed], udp.probing))
        agent_timer.append(None if agent.next_wakeup is None else agent.next_wakeup - tick)

    def observe(entry: TraceEntry) -> None:
        if entry.direction is Direction.IN and entry.first_line.startswith("SIP/2.0 200"):
            loop.call_soon(after_answer)

    agent.add_observer(observe)
    try:
        keepalive.watch(target)
        assert udp.probing == frozenset()  # nothing sent before the first tick
        await wait_until(lambda: len(rounds) >= 3)
        assert rounds[:3] == [
            ([0.0], frozenset()),
            ([0.0], frozenset()),
            ([0.0], frozenset()),
        ]
        # The agent's one timer (timer K of the answered OPTIONS) is the tick's.
        assert agent_timer[:3] == [0.0, 0.0, 0.0]
        assert deaths.calls == []
    finally:
        keepalive.stop()
        agent.close()
        peer.close()
    assert wakeups.for_loop().times() == []  # stopped: nothing left armed
