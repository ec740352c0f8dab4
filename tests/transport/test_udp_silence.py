"""A UDP request that goes unanswered probes its destination, even one heard from lately.

The probe at send time skips a destination heard from within `HEARD_FRESH`
(30 s): a server that died seconds after its last answer would then be
found out only by timer F. At the request's first retransmission, with
nothing from the destination since it went out, the agent probes anyway:
an ICMP "port unreachable" fails the transactions there at once and tells
the transport's loss observers (the keep-alive, hence the registration).
A destination that stays silent without ICMP still ends by timer F.
"""

from __future__ import annotations

import asyncio
import contextlib

from softphone.agent import TransactionFailed, UserAgent
from softphone.keepalive import KeepAlive
from softphone.sip import Request, Response
from softphone.sip.timers import TimerConfig
from softphone.transport.base import Address, Target, TransportKind
from softphone.transport.udp import HEARD_FRESH, UdpTransport
from tests.services.scripted import ScriptedPeer, answer
from tests.transport.test_agent import make_request

#: The product's timers: timer F is 32 s, the first retransmission at 0.5 s.
TIMERS = TimerConfig()


async def answering_peer() -> tuple[ScriptedPeer, list[bool]]:
    """A peer that answers 200 while its flag is True, and says nothing after."""
    answering = [True]
    peer = await ScriptedPeer.start(lambda request: [answer(request, 200)] if answering[0] else [])
    return peer, answering


async def udp_agent(timers: TimerConfig = TIMERS) -> tuple[UserAgent, UdpTransport]:
    agent = UserAgent(timers=timers)
    udp = await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    assert isinstance(udp, UdpTransport)
    return agent, udp


async def answered(agent: UserAgent, target: Target) -> Response:
    return await agent.request(make_request("OPTIONS", target.address), target)


async def test_a_server_gone_right_after_answering_fails_the_next_request_as_refused() -> None:
    agent, udp = await udp_agent()
    peer, _ = await answering_peer()
    target = Target(peer.address, TransportKind.UDP)
    lost: list[tuple[Address, str]] = []
    udp.loss_observers.add(lambda address, reason: lost.append((address, reason)))
    try:
        assert (await answered(agent, target)).status == 200
        peer.close()  # heard from a moment ago; nothing listens there now
        request = make_request("MESSAGE", target.address)
        # Well before timer F: the first retransmission (T1) probes it.
        async with asyncio.timeout(TIMERS.timeout / 4):
            failure = await _failure(agent.request(request, target))
        assert (failure.reason, failure.timed_out) == ("connection refused", False)
        assert lost == [(target.address, "connection refused")]
    finally:
        agent.close()


async def test_the_keepalive_reports_the_flow_dead_when_a_request_finds_nothing_there() -> None:
    agent, _ = await udp_agent()
    peer, _ = await answering_peer()
    target = Target(peer.address, TransportKind.UDP)
    deaths: list[tuple[Target, str]] = []
    # An interval far beyond the test: the keep-alive's own probe never runs.
    keepalive = KeepAlive(agent, interval=3600.0, on_dead=lambda t, r: deaths.append((t, r)))
    try:
        assert (await answered(agent, target)).status == 200
        keepalive.watch(target)
        peer.close()
        async with asyncio.timeout(TIMERS.timeout / 4):
            await _failure(agent.request(make_request("MESSAGE", target.address), target))
        assert deaths == [(target, "connection refused")]
        assert not keepalive.running
    finally:
        keepalive.stop()
        agent.close()


async def test_a_silent_destination_heard_lately_is_probed_and_still_ends_by_timer_f() -> None:
    # Silent without ICMP (a host that is down, a firewall that drops):
    # the probe learns nothing and timer F ends the request, as before.
    fast = TimerConfig(t1=0.01, t2=0.04, t4=0.05)
    agent, udp = await udp_agent(fast)
    peer, answering = await answering_peer()
    target = Target(peer.address, TransportKind.UDP)
    try:
        assert (await answered(agent, target)).status == 200
        answering[0] = False
        probed: list[frozenset[Address]] = []
        loop = asyncio.get_running_loop()
        watching = True

        def watch() -> None:
            if watching:
                probed.append(udp.probing)
                loop.call_later(0.005, watch)

        watch()
        async with asyncio.timeout(5):
            failure = await _failure(agent.request(make_request("MESSAGE", target.address), target))
        watching = False
        assert failure.timed_out
        assert failure.reason == f"no answer after {fast.timeout:g} s"
        # Probed (heard from well within HEARD_FRESH, yet silent since the
        # request went out); the probe learnt nothing, and timer F decided.
        assert fast.timeout < HEARD_FRESH
        assert frozenset({target.address}) in probed
    finally:
        agent.close()
        peer.close()


async def test_a_destination_heard_from_since_the_request_went_out_is_not_probed() -> None:
    # The request gets no answer, but the server spoke since it went out (a
    # keep-alive, another request's answer): something listens there, so
    # its retransmissions probe nothing.
    agent, udp = await udp_agent(TimerConfig(t1=0.05, t2=0.1))
    arrived: list[Request] = []
    peer: ScriptedPeer

    def script(request: Request) -> list[Response]:
        if request.method == "OPTIONS":
            return [answer(request, 200)]
        arrived.append(request)
        if len(arrived) == 1:
            # Once, as the request arrives; then silence (a probe, which
            # it ignores as servers do, would then wait out PROBE_WAIT).
            assert peer.transport is not None
            peer.transport.sendto(b"\r\n", (udp.local.host, udp.local.port))
        return []

    peer = await ScriptedPeer.start(script)
    target = Target(peer.address, TransportKind.UDP)
    sent: asyncio.Future[Response] | None = None
    try:
        assert (await answered(agent, target)).status == 200
        sent = asyncio.ensure_future(agent.request(make_request("MESSAGE", target.address), target))
        probing: list[frozenset[Address]] = []
        while len(arrived) < 4:  # the request and three retransmissions
            await asyncio.sleep(0.005)
            probing.append(udp.probing)
        assert set(probing) == {frozenset()}
    finally:
        agent.close()  # fails the request: "the agent was closed"
        peer.close()
        if sent is not None:
            with contextlib.suppress(TransactionFailed):
                await sent


async def _failure(request: object) -> TransactionFailed:
    try:
        await request  # type: ignore[misc]
    except TransactionFailed as failure:
        return failure
    raise AssertionError("the request got a final response")
