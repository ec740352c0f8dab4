"""Failover with real sockets: DNS lists a dead server first, a live user agent second."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.resolver import Resolver
from softphone.services.outbound import Outbound
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, new_call_id, new_tag
from softphone.sip.timers import TimerConfig
from softphone.transport.base import Address, Target, TransportKind
from tests.resolver.dnsmasq import Dnsmasq

UDP, TCP = TransportKind.UDP, TransportKind.TCP
FAST = TimerConfig(t1=0.01)  # timer F = 64 * T1 = 0.64 s (RFC 3261 17.1.2.2)


def make_request(method: str, target: Target) -> Request:
    headers = Headers()
    headers.add("From", str(NameAddr(SipUri.parse("sip:alice@fail.test")).with_tag(new_tag())))
    headers.add("To", str(NameAddr(SipUri.parse("sip:bob@fail.test"))))
    headers.add("Call-ID", new_call_id("fail.test"))
    headers.add("CSeq", f"1 {method}")
    return Request(method, SipUri.parse(f"sip:bob@{target.address.sent_by}"), headers)


def free_port(kind: int) -> int:
    """A port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """The agent as `Outbound` sees it, remembering what each target did."""

    def __init__(self, agent: UserAgent, method: str = "OPTIONS") -> None:
        self.agent = agent
        self.method = method
        self.outcomes: list[tuple[Target, str, float]] = []

    def build(self, target: Target) -> Request:
        # A new Request each time: the agent puts a new Via (new branch) on it.
        return make_request(self.method, target)

    async def request(self, request: Request, target: Target, **kwargs: object) -> Response:
        started = time.monotonic()
        try:
            response = await self.agent.request(request, target)
        except TransactionFailed as exc:
            kind = "timeout" if exc.timed_out else "transport error"
            self.outcomes.append((target, kind, time.monotonic() - started))
            raise
        self.outcomes.append((target, str(response.status), time.monotonic() - started))
        return response


@pytest.fixture
async def agents() -> AsyncIterator[tuple[UserAgent, UserAgent]]:
    alice, bob = UserAgent(timers=FAST), UserAgent()
    for agent in (alice, bob):
        await agent.listen(UDP, "127.0.0.1", 0)
        await agent.listen(TCP, "127.0.0.1", 0)
    yield alice, bob
    alice.close()
    bob.close()


@pytest.fixture
def start_dns(tmp_path: Path) -> Iterator[Callable[[list[str]], Dnsmasq]]:
    servers: list[Dnsmasq] = []

    def start(records: list[str]) -> Dnsmasq:
        server = Dnsmasq(tmp_path, records)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


async def run_failover(targets: list[Target], attempt: Recorder) -> tuple[Response, Target, float]:
    started = time.monotonic()
    sent = await Outbound(attempt, None).send(attempt.build, targets=targets)  # type: ignore[arg-type]
    return sent.response, sent.target, time.monotonic() - started


async def test_tcp_refused_server_is_skipped_at_once(
    agents: tuple[UserAgent, UserAgent], start_dns: Callable[[list[str]], Dnsmasq]
) -> None:
    alice, bob = agents
    dead, live = free_port(socket.SOCK_STREAM), bob.local_address(TCP).port
    dns = start_dns(
        [
            f"--srv-host=_sip._tcp.fail.test,dead.fail.test,{dead},10,0",
            f"--srv-host=_sip._tcp.fail.test,live.fail.test,{live},20,0",
            "--host-record=dead.fail.test,127.0.0.1",
            "--host-record=live.fail.test,127.0.0.1",
        ]
    )
    targets = await Resolver(nameserver=dns.nameserver, ipv6=False).resolve("fail.test", [TCP])
    assert [t.address.port for t in targets] == [dead, live]

    attempt = Recorder(alice)
    response, target, elapsed = await run_failover(targets, attempt)
    assert response.status == 200
    assert target == Target(Address("127.0.0.1", live), TCP, "fail.test")
    assert [(t.address.port, what) for t, what, _ in attempt.outcomes] == [
        (dead, "transport error"),  # connection refused: no timer F wait
        (live, "200"),
    ]
    print(f"TCP failover: {[(w, round(s, 4)) for _, w, s in attempt.outcomes]}, {elapsed:.4f}s")


async def test_udp_silent_server_is_left_after_timer_f(
    agents: tuple[UserAgent, UserAgent], start_dns: Callable[[list[str]], Dnsmasq]
) -> None:
    alice, bob = agents
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as black_hole:
        # Bound but never read: no ICMP error either, so only timer F ends it.
        black_hole.bind(("127.0.0.1", 0))
        dead, live = black_hole.getsockname()[1], bob.local_address(UDP).port
        dns = start_dns(
            [
                f"--srv-host=_sip._udp.fail.test,dead.fail.test,{dead},10,0",
                f"--srv-host=_sip._udp.fail.test,live.fail.test,{live},20,0",
                "--host-record=dead.fail.test,127.0.0.1",
                "--host-record=live.fail.test,127.0.0.1",
            ]
        )
        resolver = Resolver(nameserver=dns.nameserver, ipv6=False)
        targets = await resolver.resolve("fail.test", [UDP])
        assert [t.address.port for t in targets] == [dead, live]

        attempt = Recorder(alice)
        response, target, elapsed = await run_failover(targets, attempt)
    assert response.status == 200
    assert target.address == Address("127.0.0.1", live)
    assert [(t.address.port, what) for t, what, _ in attempt.outcomes] == [
        (dead, "timeout"),
        (live, "200"),
    ]
    print(f"UDP failover: {[(w, round(s, 4)) for _, w, s in attempt.outcomes]}, {elapsed:.4f}s")


async def test_udp_closed_port_is_left(agents: tuple[UserAgent, UserAgent]) -> None:
    alice, bob = agents
    dead = free_port(socket.SOCK_DGRAM)
    targets = [
        Target(Address("127.0.0.1", dead), UDP),
        Target(bob.local_address(UDP), UDP),
    ]
    attempt = Recorder(alice)
    response, target, elapsed = await run_failover(targets, attempt)
    assert (response.status, target) == (200, targets[1])
    # Either the ICMP "port unreachable" or timer F ends the first attempt.
    assert attempt.outcomes[0][1] in ("transport error", "timeout")
    print(f"UDP closed port: {[(w, round(s, 4)) for _, w, s in attempt.outcomes]}, {elapsed:.4f}s")


async def test_503_moves_the_request_to_the_next_server(
    agents: tuple[UserAgent, UserAgent],
) -> None:
    alice, bob = agents
    busy = UserAgent()
    await busy.listen(UDP, "127.0.0.1", 0)
    try:
        seen: list[IncomingRequest] = []

        def refuse(incoming: IncomingRequest) -> None:
            seen.append(incoming)
            incoming.respond(503, "Overloaded")

        def take(incoming: IncomingRequest) -> None:
            seen.append(incoming)
            incoming.respond(200)

        busy.handle("MESSAGE", refuse)
        bob.handle("MESSAGE", take)
        targets = [Target(busy.local_address(UDP), UDP), Target(bob.local_address(UDP), UDP)]
        attempt = Recorder(alice, "MESSAGE")
        response, target, _ = await run_failover(targets, attempt)
        assert (response.status, target) == (200, targets[1])
        assert [what for _, what, _ in attempt.outcomes] == ["503", "200"]
        # The second try is a new transaction: its own branch, one Via only.
        assert len(seen) == 2
        first, second = (incoming.request for incoming in seen)
        assert first.via[0].branch != second.via[0].branch
        assert len(second.via) == 1
    finally:
        busy.close()


async def test_every_server_failing_raises_the_last_error(
    agents: tuple[UserAgent, UserAgent],
) -> None:
    alice, _ = agents
    targets = [
        Target(Address("127.0.0.1", free_port(socket.SOCK_STREAM)), TCP),
        Target(Address("127.0.0.1", free_port(socket.SOCK_STREAM)), TCP),
    ]
    attempt = Recorder(alice)
    with pytest.raises(TransactionFailed) as info:
        await run_failover(targets, attempt)
    assert not info.value.timed_out
    assert [t for t, _, _ in attempt.outcomes] == targets
