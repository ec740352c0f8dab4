"""Every 200 on the wire is a row: the order proven where it can fail.

A SIGKILL alone cannot show the order of "store, then 200": the kernel keeps
a write the process made before it died, so a 200 sent before the write
still finds its row after a restart. Here the receiving app (a subprocess on
the product's start-up path) is stopped between writing a received message
and committing it (`crash_driver --hold-commit`, a test hook), and killed
there. A raw UDP socket plays the sender and records every datagram that
came back: no 200 for the message may have been sent, the message is not in
the history after the kill, and the same request retransmitted to the
restarted app is stored once and answered 200.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from softphone.sip import Response, parse
from softphone.sip.errors import ParseError
from softphone.store import Store
from tests.interop.harness import free_port
from tests.reliability.stack import wait_until
from tests.reliability.test_crash import Driver

CALL_ID = "held-commit-1@127.0.0.1"


def message_request(sender_port: int, port: int) -> bytes:
    body = "written, never committed"
    return (
        f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{sender_port};branch=z9hG4bKheld1;rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:alice@example.test>;tag=held\r\n"
        f"To: <sip:bob@example.test>\r\n"
        f"Call-ID: {CALL_ID}\r\n"
        f"CSeq: 1 MESSAGE\r\n"
        f"Content-Type: text/plain;charset=utf-8\r\n"
        f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
    ).encode()


def statuses(received: list[bytes]) -> list[int]:
    """Status codes of the responses for our request, in arrival order."""
    out = []
    for data in received:
        try:
            message = parse(data)
        except ParseError:
            continue
        if isinstance(message, Response) and message.call_id == CALL_ID:
            out.append(message.status)
    return out


def drain(sock: socket.socket) -> list[bytes]:
    """Every datagram already queued on *sock* (loopback delivers at sendto)."""
    out = []
    sock.setblocking(False)
    while True:
        try:
            out.append(sock.recv(65535))
        except BlockingIOError:
            return out


async def test_no_200_leaves_before_the_commit(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "bob.db"
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.bind(("127.0.0.1", 0))
    request = message_request(sender.getsockname()[1], port)
    received: list[bytes] = []
    first = await Driver.start("listen", "--db", str(db), "--port", str(port), "--hold-commit")
    second: Driver | None = None
    try:
        assert await wait_until(lambda: first.has("event"), 30.0)
        sender.sendto(request, ("127.0.0.1", port))
        assert await wait_until(lambda: first.has("holding"), 30.0)
        # The app is parked between the INSERT and the COMMIT of this message.
        assert [line["holding"] for line in first.lines if "holding" in line] == [CALL_ID]
        await first.kill()
        received += drain(sender)
        assert statuses(received) == [], "a response left before the message was committed"

        store = Store.open(db)
        try:
            # Killed before the commit: SQLite rolls the write back.
            assert store.count_messages("sip:alice@example.test") == 0
        finally:
            store.close()

        second = await Driver.start("listen", "--db", str(db), "--port", str(port))
        assert await wait_until(lambda: second is not None and second.has("event"), 30.0)
        # The sender's retransmission (RFC 3261 17.1.2.2) reaches the new process.
        for _ in range(2):
            sender.sendto(request, ("127.0.0.1", port))

            def answered() -> bool:
                received.extend(drain(sender))
                return 200 in statuses(received)

            assert await wait_until(answered, 30.0)
        await asyncio.sleep(0)
        await second.kill()
        assert set(statuses(received)) == {200}
        store = Store.open(db)
        try:
            [row] = store.messages("sip:alice@example.test")
            assert (row.body, row.call_id, row.cseq) == ("written, never committed", CALL_ID, 1)
        finally:
            store.close()
    finally:
        sender.close()
        await first.kill()
        if second is not None:
            await second.kill()


async def test_retransmission_while_the_commit_is_pending_is_absorbed_unparsed(
    tmp_path: Path,
) -> None:
    # While the row of a MESSAGE is being committed its transaction is in
    # Trying: a retransmission is absorbed (RFC 3261 17.2.2), matched on the
    # top Via and CSeq method read from its bytes alone (17.2.3). What else
    # it carries is never parsed: a copy whose Content-Length overruns the
    # datagram would get a 400 from the parser, and gets nothing.
    port = free_port()
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.bind(("127.0.0.1", 0))
    request = message_request(sender.getsockname()[1], port)
    head, _, body = request.partition(b"\r\n\r\n")
    overrun = head.replace(b"Content-Length: ", b"Content-Length: 9") + b"\r\n\r\n" + body
    driver = await Driver.start(
        "listen", "--db", str(tmp_path / "bob.db"), "--port", str(port), "--hold-commit"
    )
    try:
        assert await wait_until(lambda: driver.has("event"), 30.0)
        sender.sendto(request, ("127.0.0.1", port))
        assert await wait_until(lambda: driver.has("holding"), 30.0)
        for _ in range(3):
            sender.sendto(overrun, ("127.0.0.1", port))
        # A datagram after them that is answered at once proves they were read.
        probe = overrun.replace(b"z9hG4bKheld1", b"z9hG4bKprobe1").replace(
            CALL_ID.encode(), b"probe-1@127.0.0.1"
        )
        sender.sendto(probe, ("127.0.0.1", port))
        replies: list[bytes] = []

        def probe_answered() -> bool:
            replies.extend(drain(sender))
            return bool(replies)

        assert await wait_until(probe_answered, 30.0)
        await asyncio.sleep(0.2)
        replies.extend(drain(sender))
        answers = [parse(data) for data in replies]
        assert [(a.status, a.call_id) for a in answers if isinstance(a, Response)] == [
            (400, "probe-1@127.0.0.1")
        ], "only the request that matches no transaction is parsed (and refused)"
    finally:
        sender.close()
        await driver.kill()
