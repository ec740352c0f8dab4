"""`python3 -m bench.server_security`: what one request can make the server do.

Prints one JSON object per line:

* `relay`: datagrams the server sends because of one MESSAGE, anonymous and
  signed in, to a user who registered as many contacts as it could (all at
  one "victim" device that answers 200);
* `guessing`: wrong-password REGISTERs one socket tries for `seconds`, how
  many were judged (401 after credentials) and how many were refused 503;
* `silent`: datagrams a host that never answers receives for each of three
  MESSAGEs from a signed-in user to a user with 10 contacts there (default
  timers: the first waits for timer F, 32 s).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

from softphone.agent import UserAgent
from softphone.server import LocalServer
from softphone.services.outbound import Outbound
from softphone.sip import Headers, Request, SipUri, new_call_id, new_tag
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.sip.timers import TimerConfig
from softphone.trace import Direction, TraceEntry
from softphone.transport.base import Target, TransportKind

PASSWORDS = {"sip:alice@example.com": "alice-pw", "sip:bob@example.com": "bob-pw"}


async def _client() -> UserAgent:
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    return agent


def _request(method: str, uri: str, sender: str, to: str, extra: list[tuple[str, str]]) -> Request:
    headers = Headers()
    headers.add("From", f"<{sender}>;tag={new_tag()}")
    headers.add("To", f"<{to}>")
    headers.add("Call-ID", new_call_id("bench"))
    headers.add("CSeq", f"1 {method}")
    for name, value in extra:
        headers.add(name, value)
    return Request(method=method, uri=SipUri.parse(uri), headers=headers, body=b"x" * 400)


async def relay() -> dict[str, object]:
    server = LocalServer(PASSWORDS)
    await server.start()
    target = Target(server.address, TransportKind.UDP)
    victim = await _client()
    victim.handle("MESSAGE", lambda incoming: incoming.respond(200))
    victim_port = victim.transports[TransportKind.UDP].local.port
    client = await _client()
    bob = Outbound(client, DigestClient("bob", "bob-pw"))
    accepted = 0
    for first in range(0, 2000, 10):
        contacts = ", ".join(
            f"<sip:v{i}@127.0.0.1:{victim_port}>" for i in range(first, first + 10)
        )
        sent = await bob.send(
            lambda _t, c=contacts: _request(
                "REGISTER",
                "sip:example.com",
                "sip:bob@example.com",
                "sip:bob@example.com",
                [("Contact", c), ("Expires", "300")],
            ),
            targets=target,
        )
        accepted += 10 if sent.response.status == 200 else 0
    out: list[bytes] = []

    def tap(entry: TraceEntry) -> None:
        if entry.direction is Direction.OUT:
            out.append(entry.data)

    result: dict[str, object] = {"benchmark": "relay", "contacts_tried": 2000}
    result["contacts_accepted"] = accepted
    result["bindings"] = len(server.bindings("sip:bob@example.com"))
    server.agent.add_observer(tap)
    for label, sender, digest in (
        ("anonymous", "sip:mallory@evil.test", None),
        ("signed_in", "sip:alice@example.com", DigestClient("alice", "alice-pw")),
    ):
        out.clear()
        sent_ = await Outbound(client, digest).send(
            lambda _t, s=sender: _request(
                "MESSAGE",
                "sip:bob@example.com",
                s,
                "sip:bob@example.com",
                [("Content-Type", "text/plain")],
            ),
            targets=target,
        )
        await asyncio.sleep(1.0)
        result[f"{label}_answer"] = sent_.response.status
        result[f"{label}_datagrams_out"] = len(out)
        result[f"{label}_relayed"] = sum(d.startswith(b"MESSAGE ") for d in out)
    client.close()
    victim.close()
    await server.stop()
    return result


async def guessing(seconds: float = 5.0) -> dict[str, object]:
    server = LocalServer(PASSWORDS)
    await server.start()
    target = Target(server.address, TransportKind.UDP)
    client = await _client()
    judged = refused = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        guess = Outbound(client, DigestClient("bob", f"guess-{judged + refused}"))
        try:
            sent = await guess.send(
                lambda _t: _request(
                    "REGISTER", "sip:example.com", "sip:bob@example.com", "sip:bob@example.com", []
                ),
                targets=target,
            )
        except AuthenticationFailed:
            judged += 1
            continue
        refused += sent.response.status == 503
    client.close()
    await server.stop()
    return {"benchmark": "guessing", "seconds": seconds, "judged": judged, "refused_503": refused}


async def silent() -> dict[str, object]:
    server = LocalServer(PASSWORDS)
    await server.start()
    target = Target(server.address, TransportKind.UDP)
    host = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    host.bind(("127.0.0.1", 0))
    host.setblocking(False)
    port = host.getsockname()[1]

    def arrived() -> int:
        count = 0
        while True:
            try:
                data = host.recv(65535)
            except BlockingIOError:
                return count
            count += data.startswith(b"MESSAGE ")

    # The sender waits longer than the relay's timer F, to hear its 408.
    client = UserAgent(timers=TimerConfig(t1=1.0))
    await client.listen(TransportKind.UDP, "127.0.0.1", 0)
    contacts = ", ".join(f"<sip:d{i}@127.0.0.1:{port}>" for i in range(10))
    await Outbound(client, DigestClient("bob", "bob-pw")).send(
        lambda _t: _request(
            "REGISTER",
            "sip:example.com",
            "sip:bob@example.com",
            "sip:bob@example.com",
            [("Contact", contacts), ("Expires", "300")],
        ),
        targets=target,
    )
    alice = Outbound(client, DigestClient("alice", "alice-pw"))
    result: dict[str, object] = {"benchmark": "silent", "contacts": 10}
    for number in (1, 2, 3):
        sent = await alice.send(
            lambda _t: _request(
                "MESSAGE",
                "sip:bob@example.com",
                "sip:alice@example.com",
                "sip:bob@example.com",
                [("Content-Type", "text/plain")],
            ),
            targets=target,
        )
        await asyncio.sleep(0.5)
        result[f"message{number}_answer"] = sent.response.status
        result[f"message{number}_datagrams_at_host"] = arrived()
    host.close()
    client.close()
    await server.stop()
    return result


async def main() -> None:
    for bench in (relay, guessing, silent):
        print(json.dumps(await bench()), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
