"""SIPp as a real peer of our UserAgent (no Kamailio in between), both ways.

SIPp as UAC sends MESSAGE and OPTIONS to the agent over UDP and TCP; SIPp as
UAS answers the agent's MESSAGE with 200, 202, 480 or 603, or never answers
(timer F, made fast here). SIPp runs in a thread so the agent's event loop
keeps serving while the harness waits for the child process.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.sip import Headers, NameAddr, Request, SipUri, new_call_id, new_tag
from softphone.sip.delivery import DeliveryState, from_response
from softphone.sip.timers import TimerConfig
from softphone.transport.base import Address, Target, TransportKind
from tests.interop import harness

pytestmark = [pytest.mark.interop, harness.requires_sipp]

#: SIPp's -t values for our transports: one socket for all calls.
SIPP_TRANSPORT = {TransportKind.UDP: "u1", TransportKind.TCP: "t1"}
KINDS = [TransportKind.UDP, TransportKind.TCP]
#: Messages per run: enough to see every one answered, cheap on 2 cores.
N = 20


@pytest.fixture
async def bob() -> AsyncIterator[tuple[UserAgent, list[str]]]:
    agent = UserAgent()
    for kind in KINDS:
        await agent.listen(kind, "127.0.0.1", 0)
    received: list[str] = []

    def on_message(incoming: IncomingRequest) -> None:
        received.append(incoming.request.body.decode())
        incoming.respond(200)

    agent.handle("MESSAGE", on_message, accept=["text/plain"])
    yield agent, received
    agent.close()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_sipp_uac_messages_all_get_200(
    bob: tuple[UserAgent, list[str]], kind: TransportKind, tmp_path: Path
) -> None:
    agent, received = bob
    result = await asyncio.to_thread(
        harness.run_sipp,
        "uac_message.xml",
        tmp_path / "sipp",
        "-r",
        "50",
        remote=agent.local_address(kind).sent_by,
        service="bob",
        calls=N,
        transport=SIPP_TRANSPORT[kind],
        wait=30,
    )
    assert (result.successful_calls, result.failed_calls) == (N, 0), result.describe()
    assert result.final_statuses() == [200] * N
    # Each MESSAGE reached the handler exactly once, in order (SIPp ends
    # the body with a CRLF).
    assert [text.rstrip("\r\n") for text in received] == [
        f"hello from sipp #{n}" for n in range(1, N + 1)
    ]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_sipp_uac_options_all_get_200(
    bob: tuple[UserAgent, list[str]], kind: TransportKind, tmp_path: Path
) -> None:
    agent, received = bob
    address = agent.local_address(kind)
    result = await asyncio.to_thread(
        harness.run_sipp,
        "uac_options.xml",
        tmp_path / "sipp",
        "-r",
        "50",
        remote=address.sent_by,
        calls=N,
        transport=SIPP_TRANSPORT[kind],
        keys={"to_domain": address.sent_by},
        wait=30,
    )
    assert (result.successful_calls, result.failed_calls) == (N, 0), result.describe()
    answers = [m for m in result.messages if m.direction == "received"]
    assert [m.status for m in answers] == [200] * N
    # The agent's own OPTIONS answer names what it takes (RFC 3261 11.2).
    assert all("MESSAGE" in (m.header("Allow") or "") for m in answers)
    assert received == []


def message_to(destination: Address, text: str) -> Request:
    headers = Headers()
    headers.add("From", str(NameAddr(SipUri.parse("sip:alice@example.test")).with_tag(new_tag())))
    headers.add("To", str(NameAddr(SipUri.parse("sip:bob@example.test"))))
    headers.add("Call-ID", new_call_id("test.invalid"))
    headers.add("CSeq", "1 MESSAGE")
    headers.add("Content-Type", "text/plain;charset=utf-8")
    return Request(
        method="MESSAGE",
        uri=SipUri.parse(f"sip:bob@{destination.sent_by}"),
        headers=headers,
        body=text.encode(),
    )


UAS = {
    200: ("uas_message.xml", DeliveryState.DELIVERED),
    202: ("uas_message_202.xml", DeliveryState.ACCEPTED),
    480: ("uas_message_480.xml", DeliveryState.FAILED),
    603: ("uas_message_603.xml", DeliveryState.DECLINED),
}


@pytest.mark.parametrize("status", sorted(UAS))
async def test_agent_message_to_sipp_uas_gets_its_answer(status: int, tmp_path: Path) -> None:
    scenario, state = UAS[status]
    # The reason phrase the scenario sends, read from the file itself.
    sent = re.search(r"SIP/2\.0 ([0-9]{3}) ([^\r\n]+)", (harness.SIPP_DIR / scenario).read_text())
    assert sent is not None and int(sent.group(1)) == status
    alice = UserAgent()
    await alice.listen(TransportKind.UDP, "127.0.0.1", 0)
    sipp = await asyncio.to_thread(
        harness.start_sipp_uas, scenario, tmp_path / "sipp", calls=1, timeout=20
    )
    try:
        destination = Address("127.0.0.1", sipp.port)
        response = await asyncio.wait_for(
            alice.request(
                message_to(destination, "hi sipp"), Target(destination, TransportKind.UDP)
            ),
            timeout=10,
        )
        result = await asyncio.to_thread(sipp.wait, timeout=10)
    finally:
        sipp.stop()
        alice.close()
    assert (response.status, response.reason) == (status, sent.group(2).strip())
    assert from_response(response.status) is state
    got = result.received("MESSAGE")
    assert len(got) == 1, result.describe()
    assert got[0].body.strip() == "hi sipp"
    assert "rport" in (got[0].header("Via") or "")  # RFC 3581 asked for


async def test_agent_message_to_silent_sipp_times_out_with_timer_f(tmp_path: Path) -> None:
    # T1 = 15 ms: timer F (64*T1) fires after about 1 s instead of 32 s.
    alice = UserAgent(timers=TimerConfig(t1=0.015, t2=0.06, t4=0.075))
    await alice.listen(TransportKind.UDP, "127.0.0.1", 0)
    sipp = await asyncio.to_thread(
        harness.start_sipp_uas, "uas_silent.xml", tmp_path / "sipp", calls=1, timeout=20
    )
    try:
        destination = Address("127.0.0.1", sipp.port)
        with pytest.raises(TransactionFailed) as failure:
            await asyncio.wait_for(
                alice.request(
                    message_to(destination, "anyone?"), Target(destination, TransportKind.UDP)
                ),
                timeout=10,
            )
        messages = sipp.wait_for("MESSAGE", 2, timeout=5)
    finally:
        sipp.stop()
        alice.close()
    # A local timeout, never an invented remote 408 (DESIGN.md).
    assert failure.value.timed_out
    assert alice.pending_transactions == 0
    # Timer E retransmitted the same request (RFC 3261 17.1.2.2).
    assert len(messages) >= 2
    assert len({m.header("Call-ID") for m in messages}) == 1
