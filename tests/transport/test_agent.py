"""Two real user agents on loopback, over UDP and TCP: requests, answers, errors."""

from __future__ import annotations

import asyncio
import gc
import math
import socket
import weakref
from collections.abc import AsyncIterator

import pytest

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.sip import (
    Headers,
    LocalProtocolError,
    NameAddr,
    Request,
    Response,
    SipUri,
    new_call_id,
    new_tag,
    parse,
)
from softphone.sip.timers import TimerConfig
from softphone.trace import TraceEntry, Traffic
from softphone.transport.base import Address, Target, TransportKind
from softphone.transport.udp import UdpTransport

KINDS = [TransportKind.UDP, TransportKind.TCP]


def make_request(
    method: str, target: Address, *, body: bytes = b"", content_type: str = ""
) -> Request:
    uri = SipUri.parse(f"sip:bob@{target.sent_by}")
    headers = Headers()
    headers.add(
        "From", str(NameAddr(SipUri.parse("sip:alice@example.test"), "Alice").with_tag(new_tag()))
    )
    headers.add("To", str(NameAddr(SipUri.parse("sip:bob@example.test"), "Bob")))
    headers.add("Call-ID", new_call_id("test.invalid"))
    headers.add("CSeq", f"1 {method}")
    if content_type:
        headers.add("Content-Type", content_type)
    return Request(method=method, uri=uri, headers=headers, body=body)


@pytest.fixture
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[UserAgent, UserAgent]]:
    alice, bob = UserAgent(), UserAgent()
    for agent in (alice, bob):
        for kind in KINDS:
            await agent.listen(kind, "127.0.0.1", 0)
    yield alice, bob
    alice.close()
    bob.close()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_options_answered_by_agent_itself(
    pair: tuple[UserAgent, UserAgent], kind: TransportKind
) -> None:
    alice, bob = pair
    destination = bob.local_address(kind)
    response = await alice.request(make_request("OPTIONS", destination), Target(destination, kind))
    assert response.status == 200
    assert "MESSAGE" not in (response.headers.get("Allow") or "")  # no service registered it
    assert "OPTIONS" in (response.headers.get("Allow") or "")
    assert response.to.tag  # RFC 3261 8.2.6.2: a To tag on every final response


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_message_delivered_to_handler_then_200(
    pair: tuple[UserAgent, UserAgent], kind: TransportKind
) -> None:
    alice, bob = pair
    received: list[tuple[str, str]] = []

    def on_message(incoming: IncomingRequest) -> None:
        received.append((incoming.request.from_.uri.user or "", incoming.request.body.decode()))
        incoming.respond(200)

    bob.handle("MESSAGE", on_message, accept=["text/plain"])
    destination = bob.local_address(kind)
    body = "안녕하세요! 밥".encode()
    request = make_request(
        "MESSAGE", destination, body=body, content_type="text/plain;charset=UTF-8"
    )
    response = await alice.request(request, Target(destination, kind))
    assert (response.status, response.reason) == (200, "OK")
    assert received == [("alice", "안녕하세요! 밥")]
    assert response.cseq.method == "MESSAGE"


async def test_unknown_method_gets_405_with_allow(pair: tuple[UserAgent, UserAgent]) -> None:
    alice, bob = pair
    bob.handle("MESSAGE", lambda incoming: incoming.respond(200))
    destination = bob.local_address(TransportKind.UDP)
    response = await alice.request(
        make_request("PUBLISH", destination), Target(destination, TransportKind.UDP)
    )
    assert response.status == 405
    allowed = {m.strip() for m in (response.headers.get("Allow") or "").split(",")}
    assert {"MESSAGE", "OPTIONS"} <= allowed


async def test_unsupported_require_gets_420(pair: tuple[UserAgent, UserAgent]) -> None:
    alice, bob = pair
    destination = bob.local_address(TransportKind.UDP)
    request = make_request("OPTIONS", destination)
    request.headers.add("Require", "nothingknown, 100rel")
    response = await alice.request(request, Target(destination, TransportKind.UDP))
    assert response.status == 420
    assert response.headers.values("Unsupported") == ["nothingknown", "100rel"]


async def test_unsupported_content_type_gets_415_with_accept(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    alice, bob = pair
    seen: list[Request] = []
    bob.handle(
        "MESSAGE",
        lambda incoming: (seen.append(incoming.request), incoming.respond(200)),
        accept=["text/plain"],
    )
    destination = bob.local_address(TransportKind.UDP)
    request = make_request(
        "MESSAGE", destination, body=b"<x/>", content_type="application/im-iscomposing+xml"
    )
    response = await alice.request(request, Target(destination, TransportKind.UDP))
    assert response.status == 415
    assert response.headers.get("Accept") == "text/plain"
    assert seen == []  # the handler never saw it


async def test_handler_exception_becomes_500_and_agent_keeps_working(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    alice, bob = pair
    calls = 0

    def broken(incoming: IncomingRequest) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    bob.handle("MESSAGE", broken)
    destination = bob.local_address(TransportKind.UDP)
    target = Target(destination, TransportKind.UDP)
    first = await alice.request(
        make_request("MESSAGE", destination, body=b"x", content_type="text/plain"), target
    )
    second = await alice.request(make_request("OPTIONS", destination), target)
    assert (first.status, second.status, calls) == (500, 200, 1)


async def test_malformed_datagram_gets_400_with_reason_and_stack_survives(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    _, bob = pair
    destination = bob.local_address(TransportKind.UDP)
    broken = (
        "OPTIONS sip:bob@example.test SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKbroken1\r\n"
        "From: <sip:alice@example.test>;tag=1\r\n"
        "To: <sip:bob@example.test>\r\n"
        "Call-ID: broken-1\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Max-Forwards: banana\r\n"
        "Content-Length: 0\r\n\r\n"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        raw.bind(("127.0.0.1", 0))
        raw.settimeout(5)
        port = raw.getsockname()[1]
        raw.sendto(
            b"\x00\xff garbage that is not SIP\r\n\r\n", (destination.host, destination.port)
        )
        raw.sendto(broken.format(port=port).encode(), (destination.host, destination.port))
        data, _ = await asyncio.get_running_loop().run_in_executor(None, raw.recvfrom, 65535)
    response = parse(data)
    assert response.status == 400
    assert "Max-Forwards" in response.reason
    assert response.call_id == "broken-1"
    # The agent still answers a good request afterwards.
    alice = UserAgent()
    await alice.listen(TransportKind.UDP)
    try:
        ok = await alice.request(
            make_request("OPTIONS", destination), Target(destination, TransportKind.UDP)
        )
    finally:
        alice.close()
    assert ok.status == 200


async def test_timer_f_fails_transaction_without_inventing_a_response() -> None:
    # A socket that never answers: timer F (64*T1) ends the transaction.
    fast = TimerConfig(t1=0.01, t2=0.04, t4=0.05)
    alice = UserAgent(timers=fast)
    await alice.listen(TransportKind.UDP)
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    silent.setblocking(False)
    destination = Address.from_sockaddr(silent.getsockname())
    try:
        with pytest.raises(TransactionFailed) as failure:
            await asyncio.wait_for(
                alice.request(
                    make_request("OPTIONS", destination), Target(destination, TransportKind.UDP)
                ),
                timeout=10,
            )
        assert failure.value.timed_out
        # The request was retransmitted by timer E (RFC 3261 17.1.2.2):
        # 0.01, 0.02, 0.04, 0.04 ... until 0.64 s: well over 5 copies.
        copies = 0
        while True:
            try:
                silent.recv(65535)
            except BlockingIOError:
                break
            copies += 1
        assert copies > 5
    finally:
        silent.close()
        alice.close()


async def test_tcp_connection_refused_fails_at_once() -> None:
    alice = UserAgent()
    await alice.listen(TransportKind.TCP)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    destination = Address.from_sockaddr(probe.getsockname())
    probe.close()  # nothing listens there now
    try:
        with pytest.raises(TransactionFailed) as failure:
            await asyncio.wait_for(
                alice.request(
                    make_request("OPTIONS", destination), Target(destination, TransportKind.TCP)
                ),
                timeout=5,
            )
        assert not failure.value.timed_out
        assert "connect" in failure.value.reason
    finally:
        alice.close()


async def _send_one_request_again_and_again(
    bob: UserAgent, branch: str, times: int, *, to_tag: str | None = None
) -> tuple[Request, list[bytes]]:
    """Send the same MESSAGE bytes to bob from a raw UDP socket `times` times,
    reading the answer to each before the next (a retransmitting client).
    With *to_tag* the MESSAGE is sent within a dialog (its To has that tag)."""
    destination = bob.local_address(TransportKind.UDP)
    request = make_request("MESSAGE", destination, body=b"hi", content_type="text/plain")
    if to_tag is not None:
        request.headers.set("To", f"{request.headers.get('To')};tag={to_tag}")
    request.headers.insert_first("Via", f"SIP/2.0/UDP 127.0.0.1:{{port}};branch={branch}")
    answers: list[bytes] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        raw.bind(("127.0.0.1", 0))
        raw.settimeout(5)
        port = raw.getsockname()[1]
        data = bytes(request).replace(b"{port}", str(port).encode())
        for _ in range(times):
            raw.sendto(data, (destination.host, destination.port))
            answer, _ = await asyncio.get_running_loop().run_in_executor(None, raw.recvfrom, 65535)
            answers.append(answer)
    return request, answers


async def test_retransmitted_request_reaches_handler_once() -> None:
    bob = UserAgent()
    await bob.listen(TransportKind.UDP)
    seen: list[str] = []
    bob.handle(
        "MESSAGE", lambda incoming: (seen.append(incoming.request.call_id), incoming.respond(200))
    )
    request, answers = await _send_one_request_again_and_again(bob, "z9hG4bKretrans1", times=3)
    bob.close()
    assert seen == [request.call_id]
    assert answers[0] == answers[1] == answers[2]  # the same final response replayed
    assert parse(answers[0]).status == 200


async def test_an_answer_from_bytes_keeps_the_one_to_tag_of_an_in_dialog_request() -> None:
    # RFC 3261 8.2.6.2: a To that already has a tag is copied as it is; the
    # answer built from the request's bytes adds no second tag.
    bob = UserAgent()
    await bob.listen(TransportKind.UDP)
    bob.handle("MESSAGE", lambda incoming: incoming.answer(200), in_dialog=True)
    request, [answer] = await _send_one_request_again_and_again(
        bob, "z9hG4bKindialog1", times=1, to_tag="bobs-tag"
    )
    bob.close()
    assert parse(answer).status == 200
    assert answer.count(b";tag=bobs-tag") == 1
    assert parse(answer).headers.get("To") == request.headers.get("To")


async def test_an_answer_from_bytes_is_final_and_replayed_to_retransmissions() -> None:
    # answer() over UDP keeps only the 200's bytes (RFC 3261 17.2.2): a
    # second answer is refused as a transaction would refuse it, and a
    # retransmission gets the same bytes without reaching the handler.
    bob = UserAgent()
    await bob.listen(TransportKind.UDP)
    seen: list[str] = []
    refused: list[str] = []

    def handler(incoming: IncomingRequest) -> None:
        seen.append(incoming.request.call_id)
        incoming.answer(200)
        assert incoming.responded
        for again in (lambda: incoming.answer(486), lambda: incoming.respond(500)):
            try:
                again()
            except LocalProtocolError as exc:
                refused.append(str(exc))

    bob.handle("MESSAGE", handler)
    request, answers = await _send_one_request_again_and_again(bob, "z9hG4bKbytes1", times=2)
    assert bob.pending_transactions == 1  # only the bytes, held until timer J
    bob.close()
    assert seen == [request.call_id]
    assert len(refused) == 2
    assert answers[0] == answers[1]
    assert parse(answers[0]).status == 200


async def test_trace_sees_both_directions_with_credentials_redacted(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    alice, bob = pair
    entries: list[TraceEntry] = []
    alice.add_observer(entries.append)
    destination = bob.local_address(TransportKind.UDP)
    request = make_request("OPTIONS", destination)
    request.headers.add(
        "Authorization",
        'Digest username="alice", realm="x", nonce="n", uri="sip:x", response="0123456789abcdef"',
    )
    await alice.request(request, Target(destination, TransportKind.UDP))
    assert [e.direction.value for e in entries] == ["out", "in"]
    assert entries[0].first_line.startswith("OPTIONS sip:bob@")
    assert b"0123456789abcdef" not in entries[0].data
    assert b"Authorization: <redacted>" in entries[0].data
    assert entries[1].first_line == "SIP/2.0 200 OK"


async def test_an_observer_added_later_is_shown_the_next_messages_of_the_kinds_it_wants(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    alice, bob = pair
    destination = bob.local_address(TransportKind.UDP)
    target = Target(destination, TransportKind.UDP)
    await alice.request(make_request("OPTIONS", destination), target)  # nobody watches yet
    everything: list[TraceEntry] = []
    responses_in: list[TraceEntry] = []
    requests_in: list[TraceEntry] = []
    alice.add_observer(everything.append)
    alice.add_observer(responses_in.append, Traffic.RESPONSES_IN)
    bob.add_observer(requests_in.append, Traffic.REQUESTS_IN)
    await alice.request(make_request("OPTIONS", destination), target)
    assert [(e.direction.value, e.first_line) for e in everything] == [
        ("out", f"OPTIONS sip:bob@{destination.sent_by} SIP/2.0"),
        ("in", "SIP/2.0 200 OK"),
    ]
    assert [e.first_line for e in responses_in] == ["SIP/2.0 200 OK"]
    assert [e.first_line for e in requests_in] == [f"OPTIONS sip:bob@{destination.sent_by} SIP/2.0"]
    alice.remove_observer(everything.append)
    await alice.request(make_request("OPTIONS", destination), target)
    assert (len(everything), len(responses_in), len(requests_in)) == (2, 2, 2)


async def test_an_agent_whose_last_observer_left_traces_nothing_until_one_comes_again(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    # The agent skips the trace for every message while nobody observes:
    # the last observer's removal and a new observer must both be seen.
    alice, bob = pair
    destination = bob.local_address(TransportKind.UDP)
    target = Target(destination, TransportKind.UDP)
    first: list[TraceEntry] = []
    second: list[TraceEntry] = []
    alice.add_observer(first.append)
    alice.remove_observer(first.append)
    await alice.request(make_request("OPTIONS", destination), target)
    alice.add_observer(second.append, Traffic.RESPONSES_IN)
    await alice.request(make_request("OPTIONS", destination), target)
    alice.remove_observer(second.append)
    await alice.request(make_request("OPTIONS", destination), target)
    assert first == []
    assert [e.first_line for e in second] == ["SIP/2.0 200 OK"]


async def test_transactions_ending_in_the_same_second_are_freed_in_one_wake_up() -> None:
    # Twenty MESSAGEs answered within 0.8 s: their timers J (32 s) end in
    # the same second, and the agent wakes once for all of them.
    now = [1000.1]
    agent = UserAgent(clock=lambda: now[0])

    class Capture:
        kind = TransportKind.UDP
        local = Address("127.0.0.1", 5060)

        def send(self, data: bytes, to: Address, *, server_name: str | None = None) -> None:
            pass

    agent.handle("MESSAGE", lambda incoming: incoming.respond(200))
    for n in range(20):
        now[0] = 1000.1 + n * 0.04
        request = make_request("MESSAGE", Address("127.0.0.1", 5060), body=b"hi")
        request.headers.insert_first("Via", f"SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKend{n}")
        agent.receive(bytes(request), Address("192.0.2.9", 5060), Capture())  # type: ignore[arg-type]
    assert agent.pending_transactions == 20
    wake_ups = []
    try:
        while agent.pending_transactions and len(wake_ups) < 30:
            # Run the agent's timer at the time it asked for (the loop would
            # wake then; here the clock jumps there).
            assert agent._timer is not None and agent._timer_at is not None
            agent._timer.cancel()
            now[0] = agent._timer_at
            wake_ups.append(now[0])
            agent._on_timer()
        assert agent.pending_transactions == 0
        assert len(wake_ups) == 1 and wake_ups[0] >= 1000.1 + 0.76 + 32.0
    finally:
        agent.close()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_a_final_answer_leaves_no_retransmission_timer(
    pair: tuple[UserAgent, UserAgent], kind: TransportKind
) -> None:
    # Alice's clock stands still, so only the answer can move her timers:
    # timer E (T1) is armed with the request; the 200 cancels E and F (RFC
    # 3261 17.1.2.2), leaving over UDP one wake-up to free the transaction,
    # no sooner than timer K (T4) and at most a transaction timeout later
    # (where it can share a wake-up), and over TCP none at all.
    _, bob = pair
    now = [500.25]
    alice = UserAgent(clock=lambda: now[0])
    await alice.listen(kind, "127.0.0.1", 0)
    destination = bob.local_address(kind)
    wakeups: list[float | None] = []
    try:
        sending = asyncio.ensure_future(
            alice.request(make_request("OPTIONS", destination), Target(destination, kind))
        )
        await asyncio.sleep(0)
        wakeups.append(alice.next_wakeup)
        response = await sending
        assert response.status == 200
        wakeups.append(alice.next_wakeup)
        while alice.next_wakeup is not None and len(wakeups) < 10:
            # The loop would wake at the time asked for; the clock jumps there.
            assert alice._timer is not None
            alice._timer.cancel()
            now[0] = alice.next_wakeup
            alice._on_timer()
            wakeups.append(alice.next_wakeup)
        t1, t4 = alice.timers.t1, alice.timers.t4
        if kind is TransportKind.UDP:
            assert len(wakeups) == 3 and (wakeups[0], wakeups[2]) == (500.25 + t1, None)
            k = wakeups[1]
            assert k is not None
            assert math.ceil(500.25 + t4) <= k <= math.ceil(500.25 + t4) + alice.timers.timeout
        else:
            assert wakeups == [500.25 + alice.timers.timeout, None]
        assert alice.pending_transactions == 0
    finally:
        alice.close()


async def test_udp_datagrams_sent_in_one_turn_go_out_in_order_even_when_closed_at_once() -> None:
    received: list[bytes] = []
    sink = await UdpTransport.bind("127.0.0.1", 0, lambda data, source, t: received.append(data))
    sender = await UdpTransport.bind("127.0.0.1", 0, lambda data, source, t: None)
    try:
        for n in range(3):
            sender.send(b"datagram %d" % n, sink.local)
        sender.close()  # in the same turn: what was sent still goes
        for _ in range(100):
            if len(received) == 3:
                break
            await asyncio.sleep(0.01)
        assert received == [b"datagram 0", b"datagram 1", b"datagram 2"]
    finally:
        sink.close()


async def test_a_finished_client_transaction_keeps_no_answer_alive_until_timer_k(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    # Over UDP the transaction stays until timer K to absorb retransmitted
    # answers (RFC 3261 17.1.2.2), but its outcome was told: what the
    # service was given (the response, the awaited future) is not kept.
    alice, bob = pair
    destination = bob.local_address(TransportKind.UDP)
    response = await alice.request(
        make_request("OPTIONS", destination), Target(destination, TransportKind.UDP)
    )
    assert response.status == 200
    answered = weakref.ref(response)
    del response
    await asyncio.sleep(0)  # the loop lets go of the handle that woke this task
    gc.collect()
    assert alice.pending_transactions == 1  # waiting for timer K
    assert answered() is None


async def test_a_finished_client_transaction_absorbs_its_answer_by_key_until_timer_k(
    pair: tuple[UserAgent, UserAgent],
) -> None:
    # RFC 3261 17.1.2.2: after the final answer the transaction waits in
    # Completed only to absorb retransmissions of it until timer K. Its key
    # does that: the request (and its bytes) are let go at once, the answer
    # sent again is absorbed (told once), and at timer K nothing is left.
    _, bob = pair
    now = [700.5]
    alice = UserAgent(clock=lambda: now[0])
    transport = await alice.listen(TransportKind.UDP, "127.0.0.1", 0)
    destination = bob.local_address(TransportKind.UDP)
    answers: list[TraceEntry] = []
    alice.add_observer(answers.append, Traffic.RESPONSES_IN)
    told: list[int] = []
    failures: list[TransactionFailed] = []
    answered = asyncio.get_running_loop().create_future()

    def on_response(response: Response) -> None:
        told.append(response.status)
        if not answered.done():
            answered.set_result(None)

    request = make_request("OPTIONS", destination)
    sent = weakref.ref(request)
    try:
        alice.send_request(
            request,
            Target(destination, TransportKind.UDP),
            on_response=on_response,
            on_failure=failures.append,
        )
        del request
        await answered
        gc.collect()
        assert sent() is None
        assert alice.pending_transactions == 1
        # The same 200 again, before timer K: absorbed.
        alice.receive(answers[0].data, destination, transport)
        assert (told, failures, alice.pending_transactions) == ([200], [], 1)
        # The wake-up that frees it comes no sooner than timer K.
        assert alice._timer is not None and alice.next_wakeup is not None
        assert alice.next_wakeup >= 700.5 + alice.timers.t4
        alice._timer.cancel()
        now[0] = alice.next_wakeup
        alice._on_timer()
        assert (alice.pending_transactions, alice.next_wakeup) == (0, None)
        # After timer K the same answer matches nothing: dropped, not told.
        alice.receive(answers[0].data, destination, transport)
        assert (told, failures) == ([200], [])
    finally:
        alice.close()


@pytest.mark.parametrize("in_order", [True, False], ids=["in-order", "either-order"])
async def test_who_runs_first_when_an_answer_and_a_request_arrive_in_one_burst(
    in_order: bool,
) -> None:
    # A burst is read in runs. An answer wakes its waiter before the next
    # datagram is handled, unless the request said its answer and the
    # peer's next requests may be taken in either order (a SUBSCRIBE's 2xx
    # and its NOTIFY, RFC 6665 4.1.2.4): then the run goes on, and the
    # request behind the answer reaches its handler first.
    alice = UserAgent()
    transport = await alice.listen(TransportKind.UDP, "127.0.0.1", 0)
    order: list[str] = []
    alice.handle(
        "MESSAGE", lambda incoming: (order.append("request handled"), incoming.answer(200))
    )
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(5.0)
    here = Address(*peer.getsockname())
    loop = asyncio.get_running_loop()

    async def ask() -> None:
        target = Target(here, TransportKind.UDP)
        await alice.request(make_request("OPTIONS", here), target, in_order=in_order)
        order.append("answer taken")

    asking = loop.create_task(ask())
    try:
        data, _ = await loop.run_in_executor(None, peer.recvfrom, 65535)
        answer = bytes(Response.for_request(parse(data), 200, to_tag=new_tag()))
        message = make_request("MESSAGE", transport.local, body=b"hi", content_type="text/plain")
        message.headers.insert_first("Via", f"SIP/2.0/UDP {here.sent_by};branch=z9hG4bKburst1")
        # Both wait in alice's socket before her loop reads either.
        peer.sendto(answer, (transport.local.host, transport.local.port))
        peer.sendto(bytes(message), (transport.local.host, transport.local.port))
        async with asyncio.timeout(5.0):
            await asyncio.shield(asking)
            while len(order) < 2:
                await asyncio.sleep(0.01)
    finally:
        asking.cancel()
        alice.close()
        peer.close()
    if in_order:
        assert order == ["answer taken", "request handled"]
    else:
        assert order == ["request handled", "answer taken"]


async def test_a_request_waiting_for_its_answer_absorbs_retransmissions_then_answers_once() -> None:
    # RFC 3261 17.2.2: in Trying a retransmission is absorbed (nothing is
    # sent, the handler is not asked again); a provisional moves the
    # transaction to Proceeding, where a retransmission gets it again; the
    # final answer is then replayed. The same over a stream, answered later.
    sent: list[bytes] = []

    class Capture:
        local = Address("127.0.0.1", 5060)

        def __init__(self, kind: TransportKind) -> None:
            self.kind = kind

        def send(self, data: bytes, to: Address, *, server_name: str | None = None) -> None:
            sent.append(data)

    agent = UserAgent(clock=lambda: 1000.0)
    waiting: list[IncomingRequest] = []
    agent.handle("MESSAGE", waiting.append)
    source = Address("192.0.2.9", 5060)
    try:
        for kind, branch in (
            (TransportKind.UDP, "z9hG4bKtry1"),
            (TransportKind.TCP, "z9hG4bKtry2"),
        ):
            sent.clear()
            waiting.clear()
            transport = Capture(kind)
            request = make_request("MESSAGE", Address("127.0.0.1", 5060), body=b"hi")
            request.headers.insert_first(
                "Via", f"SIP/2.0/{kind.via_name} 192.0.2.9;branch={branch}"
            )
            data = bytes(request)

            def receive(data: bytes = data, transport: Capture = transport) -> None:
                agent.receive(data, source, transport)  # type: ignore[arg-type]

            receive()
            receive()  # absorbed: nothing sent, the handler is not asked again
            assert (len(waiting), sent) == (1, [])
            waiting[0].respond(100)
            receive()  # in Proceeding: the 100 again
            waiting[0].answer(200)
            if kind is TransportKind.UDP:
                receive()  # the 200 again (over a stream the transaction has ended)
            statuses = [parse(answer).status for answer in sent]
            expected = [100, 100, 200, 200] if kind is TransportKind.UDP else [100, 100, 200]
            assert statuses == expected
            assert len(waiting) == 1
    finally:
        agent.close()
