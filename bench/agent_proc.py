"""Our agent in its own process for the stack benchmark (SIPp runs in another).

    python3 -m bench.agent_proc uas
        Listen on UDP 127.0.0.1 (free port), answer every MESSAGE 200. Prints
        {"port": N}, then serves until standard input closes and prints
        {"handled": N}.

    python3 -m bench.agent_proc uac --target 127.0.0.1:PORT --rate R --count N
        Send N MESSAGEs at R per second (open loop: the pace never waits for
        answers, as SIPp's -r), wait for every transaction to end and print
        {"sent", "ok", "failed", "send_seconds", "total_seconds", "latencies_ms"}.

Every line on standard output is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, new_call_id, new_tag
from softphone.transport.base import Address, Target, TransportKind

#: Interval of the UAC's pacing loop: it sends every message due by now.
TICK = 0.002


def _emit(obj: object) -> None:
    print(json.dumps(obj), flush=True)


async def serve_uas() -> None:
    """Answer MESSAGE 200 until standard input closes."""
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    handled = 0

    def on_message(incoming: IncomingRequest) -> None:
        nonlocal handled
        handled += 1
        incoming.respond(200)

    agent.handle("MESSAGE", on_message)
    _emit({"port": agent.local_address(TransportKind.UDP).port})
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    agent.close()
    _emit({"handled": handled})


def _message(destination: Address, number: int) -> Request:
    headers = Headers()
    tag = new_tag()
    headers.add("From", str(NameAddr(SipUri.parse("sip:alice@example.test")).with_tag(tag)))
    headers.add("To", str(NameAddr(SipUri.parse("sip:bob@example.test"))))
    headers.add("Call-ID", new_call_id("bench.invalid"))
    headers.add("CSeq", "1 MESSAGE")
    headers.add("Content-Type", "text/plain;charset=utf-8")
    return Request(
        method="MESSAGE",
        uri=SipUri.parse(f"sip:bob@{destination.sent_by}"),
        headers=headers,
        body=f"안녕하세요! 밥 #{number}".encode(),
    )


async def run_uac(target: Address, rate: float, count: int, wait: float) -> None:
    """Send `count` MESSAGEs at `rate`/s to `target` and report what came back."""
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    destination = Target(target, TransportKind.UDP)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failed = 0
    done = asyncio.Event()
    finished = 0

    def finish() -> None:
        nonlocal finished
        finished += 1
        if finished == count:
            done.set()

    def send(number: int) -> None:
        sent_at = loop.time()

        def on_response(response: Response) -> None:
            if response.status < 200:
                return
            statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append((loop.time() - sent_at) * 1000.0)
            finish()

        def on_failure(failure: TransactionFailed) -> None:
            nonlocal failed
            failed += 1
            finish()

        agent.send_request(
            _message(target, number), destination, on_response=on_response, on_failure=on_failure
        )

    start = loop.time()
    sent = 0
    while sent < count:
        due = min(count, int((loop.time() - start) * rate) + 1)
        while sent < due:
            sent += 1
            send(sent)
        await asyncio.sleep(TICK)
    send_seconds = loop.time() - start
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=wait)
    total_seconds = loop.time() - start
    agent.close()
    _emit(
        {
            "sent": sent,
            "ok": statuses.get(200, 0),
            "statuses": {str(k): v for k, v in statuses.items()},
            "failed": failed,
            "unfinished": count - finished,
            "send_seconds": send_seconds,
            "total_seconds": total_seconds,
            "latencies_ms": latencies,
        }
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="role", required=True)
    sub.add_parser("uas")
    uac = sub.add_parser("uac")
    uac.add_argument("--target", required=True, help="host:port of the UAS")
    uac.add_argument("--rate", type=float, required=True)
    uac.add_argument("--count", type=int, required=True)
    uac.add_argument("--wait", type=float, default=40.0, help="seconds to wait for answers")
    args = parser.parse_args(argv)
    if args.role == "uas":
        asyncio.run(serve_uas())
    else:
        host, _, port = args.target.rpartition(":")
        asyncio.run(run_uac(Address(host, int(port)), args.rate, args.count, args.wait))


if __name__ == "__main__":
    main()
