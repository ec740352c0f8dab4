"""`softphone listen` under a burst: every datagram read, answered to its sender, stored.

The UDP transport reads a burst in runs (many datagrams per turn of the event
loop, `READ_BATCH`). Here three raw sockets fire their MESSAGEs at once,
interleaved and without retransmitting, at a `softphone listen` subprocess:
each request must be answered 200 once, to the socket that sent it, and be
a row of the database and a JSON line on stdout.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from softphone.sip import Response, parse
from tests.helpers import cli_env
from tests.interop.harness import free_port

SENDERS = 3
EACH = 30  # 90 queued at once: more than one read batch, within any receive buffer


@pytest.fixture
def listen(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = free_port()
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a registrar that never answers
    silent.bind(("127.0.0.1", 0))
    db = tmp_path / "bob.db"
    env = cli_env(tmp_path, SOFTPHONE_TEST_PW="secret")
    argv = [sys.executable, "-m", "softphone", "listen", "--aor", "sip:bob@example.test"]
    argv += ["--password-env", "SOFTPHONE_TEST_PW"]
    argv += ["--registrar", f"127.0.0.1:{silent.getsockname()[1]}"]
    argv += ["--listen-host", "127.0.0.1", "--local-port", str(port), "--db", str(db)]
    argv += ["--no-flood-limits"]  # one address sending a burst is what is tested
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        yield process, port, db
    finally:
        process.kill()
        process.wait()
        silent.close()


def request(sock: socket.socket, call_id: str) -> bytes:
    body = f"안녕 {call_id}".encode()
    return (
        f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{sock.getsockname()[1]};branch=z9hG4bK{call_id};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:alice@example.test>;tag=t-{call_id}\r\n"
        f"To: <sip:bob@example.test>\r\nCall-ID: {call_id}\r\nCSeq: 1 MESSAGE\r\n"
        f"Content-Type: text/plain;charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def answers(sock: socket.socket, count: int, timeout: float) -> list[Response]:
    """Responses arriving on *sock* until *count* finals came or *timeout* passed."""
    out: list[Response] = []
    deadline = time.monotonic() + timeout
    while sum(r.status >= 200 for r in out) < count and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            message = parse(sock.recv(65535))
        except TimeoutError:
            break
        assert isinstance(message, Response)
        out.append(message)
    return out


def test_a_burst_is_answered_to_each_sender_and_every_answer_is_stored(
    listen: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, db = listen
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(SENDERS)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        # Wait until the listener answers at all (it may still be starting).
        for attempt in range(60):
            socks[0].sendto(request(socks[0], f"ready-{attempt}"), ("127.0.0.1", port))
            if answers(socks[0], 1, 0.5):
                break
        else:
            pytest.fail("softphone listen never answered")
        time.sleep(0.5)
        while answers(socks[0], 1, 0.2):
            pass  # late answers to the readiness probes
        sent: list[list[str]] = [[] for _ in socks]
        for n in range(EACH):  # interleaved, nothing awaited: queued faster than read
            for s, sock in enumerate(socks):
                call_id = f"burst-{s}-{n}"
                sent[s].append(call_id)
                sock.sendto(request(sock, call_id), ("127.0.0.1", port))
        for s, sock in enumerate(socks):
            got = answers(sock, EACH, 30.0)
            finals = [(r.status, r.call_id) for r in got if r.status >= 200]
            # Each sender gets its own answers, one each, all 200: none lost,
            # none sent to the source of another datagram of the same run.
            assert sorted(finals) == sorted((200, c) for c in sent[s])
            port_of_sender = sock.getsockname()[1]
            for response in got:
                # RFC 3261 8.2.6.2 and RFC 3581: the request's Via (received,
                # rport filled in), From, Call-ID and CSeq, and To with our tag.
                via = response.via[0]
                assert (via.branch, via.rport, via.received) == (
                    f"z9hG4bK{response.call_id}",
                    port_of_sender,
                    "127.0.0.1",
                )
                assert response.from_.tag == f"t-{response.call_id}"
                assert (response.cseq.seq, response.cseq.method) == (1, "MESSAGE")
                assert response.to.tag and str(response.to.uri) == "sip:bob@example.test"
        assert process.stdout is not None
        printed: set[str] = set()
        deadline = time.monotonic() + 30
        wanted = {f"안녕 {c}" for calls in sent for c in calls}
        while not wanted <= printed and time.monotonic() < deadline:
            line = process.stdout.readline()
            if b'"body"' in line:
                printed.add(json.loads(line)["body"])
        assert wanted <= printed
        with closing(sqlite3.connect(db)) as conn:
            stored = {
                row[0]
                for row in conn.execute("SELECT call_id FROM messages WHERE direction = 'in'")
            }
        assert {c for calls in sent for c in calls} <= stored
    finally:
        for sock in socks:
            sock.close()


def raw_answers(sock: socket.socket, timeout: float) -> list[bytes]:
    """Every datagram arriving on *sock* within *timeout*."""
    out: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            out.append(sock.recv(65535))
        except TimeoutError:
            break
    return out


def test_a_retransmission_after_the_200_is_answered_from_its_bytes_unparsed(
    listen: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, db = listen
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        for attempt in range(60):
            sock.sendto(request(sock, f"ready-{attempt}"), ("127.0.0.1", port))
            if answers(sock, 1, 0.5):
                break
        else:
            pytest.fail("softphone listen never answered")
        time.sleep(0.5)
        while answers(sock, 1, 0.2):
            pass  # late answers to the readiness probes
        original = request(sock, "again")
        sock.sendto(original, ("127.0.0.1", port))
        first = raw_answers(sock, 1.0)
        assert len(first) == 1 and first[0].startswith(b"SIP/2.0 200 ")
        # The same request again (RFC 3261 17.2.2: the transaction is in
        # Completed), and a copy whose Content-Length overruns the datagram:
        # parsed, that one would be refused 400. Matched on the transaction
        # key alone, both get the stored 200, byte for byte.
        sock.sendto(original, ("127.0.0.1", port))
        broken = original.replace(b"Content-Length: ", b"Content-Length: 9")
        sock.sendto(broken, ("127.0.0.1", port))
        again = raw_answers(sock, 1.0)
        assert again == [first[0], first[0]]
    process.kill()
    process.wait()
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT body FROM messages WHERE direction = 'in' AND call_id = 'again'"
        ).fetchall()
    assert rows == [("안녕 again",)]
    assert process.stdout is not None
    lines = [line for line in process.stdout.read().splitlines() if b"again" in line]
    assert len(lines) == 1 and json.loads(lines[0])["body"] == "안녕 again"
