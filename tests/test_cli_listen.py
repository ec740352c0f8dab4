"""`softphone listen` as people run it, beside other `softphone` commands.

A `softphone listen` subprocess (its registrar a socket that never answers)
takes MESSAGEs from raw UDP sockets. With `-v` it logs every message it
receives and sends. `softphone block` and `unblock`, run as processes of
their own on the same database while it listens, take effect on the very
next MESSAGE: the listener notices the other process's commit (SQLite's
`PRAGMA data_version`) instead of keeping what it read at start-up.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from softphone.sip import Response
from tests.helpers import cli_env
from tests.interop.harness import free_port
from tests.reliability.test_listen_burst import answers

Listen = Callable[..., tuple[subprocess.Popen[bytes], int, Path]]


@pytest.fixture
def start_listen(tmp_path: Path) -> Iterator[Listen]:
    started: list[tuple[subprocess.Popen[bytes], socket.socket]] = []

    def start(*extra: str, stderr: Path | None = None) -> tuple[subprocess.Popen[bytes], int, Path]:
        port = free_port()
        silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a registrar never answering
        silent.bind(("127.0.0.1", 0))
        db = tmp_path / "bob.db"
        argv = [sys.executable, "-m", "softphone", "listen", "--aor", "sip:bob@example.test"]
        argv += ["--password-env", "SOFTPHONE_TEST_PW"]
        argv += ["--registrar", f"127.0.0.1:{silent.getsockname()[1]}"]
        argv += ["--listen-host", "127.0.0.1", "--local-port", str(port), "--db", str(db)]
        argv += [*extra]
        err = stderr.open("wb") if stderr is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            argv,
            env=cli_env(tmp_path, SOFTPHONE_TEST_PW="secret"),
            stdout=subprocess.PIPE,
            stderr=err,
        )
        started.append((process, silent))
        return process, port, db

    yield start
    for process, silent in started:
        process.kill()
        process.wait()
        silent.close()


def message(sock: socket.socket, sender: str, call_id: str, text: str) -> bytes:
    body = text.encode()
    return (
        f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{sock.getsockname()[1]};branch=z9hG4bK{call_id};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:{sender}@example.test>;tag=t-{call_id}\r\n"
        f"To: <sip:bob@example.test>\r\nCall-ID: {call_id}\r\nCSeq: 1 MESSAGE\r\n"
        f"Content-Type: text/plain;charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class Sender:
    """One raw UDP socket sending MESSAGEs to the listener, one at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.count = 0

    def wait_ready(self) -> None:
        """Until the listener answers at all (it may still be starting)."""
        for attempt in range(60):
            self.send("alice", f"probe {attempt}")
            if self.finals(0.5):
                break
        else:
            pytest.fail("softphone listen never answered")
        time.sleep(0.3)
        while self.finals(0.2):
            pass  # late answers to the probes

    def send(self, sender: str, text: str) -> str:
        self.count += 1
        call_id = f"m{self.count}-{self.sock.getsockname()[1]}"
        self.sock.sendto(message(self.sock, sender, call_id, text), ("127.0.0.1", self.port))
        return call_id

    def finals(self, timeout: float) -> list[Response]:
        return [r for r in answers(self.sock, 1, timeout) if r.status >= 200]

    def status_of(self, sender: str, text: str) -> int:
        """Send one MESSAGE and return the status of its final answer."""
        call_id = self.send(sender, text)
        got = self.finals(10.0)
        assert [r.call_id for r in got] == [call_id]
        return got[0].status


def stored(db: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute(
            "SELECT peer, body FROM messages WHERE direction = 'in' AND body NOT LIKE 'probe %'"
            " ORDER BY id"
        ).fetchall()
    return [(str(peer), str(body)) for peer, body in rows]


def run_cli(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    done = subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        env=cli_env(tmp_path),
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_block_and_unblock_from_another_process_take_effect_on_the_next_message(
    start_listen: Listen, tmp_path: Path
) -> None:
    _, port, db = start_listen("--no-flood-limits")
    sender = Sender(port)
    with closing(sender.sock):
        sender.wait_ready()
        # The listener has read the blocked list (empty) for these already.
        assert sender.status_of("alice", "before") == 200
        assert run_cli(tmp_path, "block", "sip:alice@example.test", "--db", str(db)) == (
            0,
            [{"address": "sip:alice@example.test", "blocked": True}],
        )
        # RFC 3261 21.6.4: the product's answer to a blocked sender.
        assert sender.status_of("alice", "while blocked") == 603
        assert sender.status_of("carol", "from someone else") == 200
        assert sender.status_of("alice", "still blocked") == 603
        assert run_cli(tmp_path, "unblock", "sip:alice@example.test", "--db", str(db)) == (
            0,
            [{"address": "sip:alice@example.test", "blocked": False}],
        )
        assert sender.status_of("alice", "after") == 200
    assert stored(db) == [
        ("sip:alice@example.test", "before"),
        ("sip:carol@example.test", "from someone else"),
        ("sip:alice@example.test", "after"),
    ]


_ENTRY = re.compile(r"^\S+ \S+ [\w.]+: (<-|->) udp (\S+)\n", re.MULTILINE)


def test_listen_verbose_logs_every_message_received_and_every_answer(
    start_listen: Listen, tmp_path: Path
) -> None:
    log = tmp_path / "listen.log"
    process, port, _ = start_listen("--no-flood-limits", "-v", stderr=log)
    sender = Sender(port)
    here = f"127.0.0.1:{sender.sock.getsockname()[1]}"
    with closing(sender.sock):
        sender.wait_ready()
        call_ids = [sender.send("alice", f"hello {n}") for n in range(5)]
        got = answers(sender.sock, len(call_ids), 10.0)
        assert sorted(r.call_id for r in got if r.status == 200) == sorted(call_ids)
    process.terminate()
    out, _ = process.communicate(timeout=10)
    # Each message printed as one JSON line: the fields in this order, the
    # text JSON gives them (the time as its float), escapes as in any line.
    rows = [row for row in out.splitlines() if b'"body": "hello' in row]
    printed = [json.loads(row) for row in rows]
    assert [line["body"] for line in printed] == [f"hello {n}" for n in range(5)]
    for line, raw in zip(printed, rows, strict=True):
        assert isinstance(line["time"], float)
        assert raw.decode() == json.dumps(
            {
                "from": "sip:alice@example.test",
                "to": "sip:bob@example.test",
                "body": line["body"],
                "content_type": "text/plain;charset=utf-8",
                "time": line["time"],
            },
            ensure_ascii=False,
        )
    # Each entry: "<- udp SOURCE" or "-> udp DESTINATION", then the message.
    parts = _ENTRY.split(log.read_bytes().decode())[1:]  # CRLFs kept
    entries = list(zip(parts[0::3], parts[1::3], parts[2::3], strict=True))
    for call_id in call_ids:
        logged = [
            (arrow, where, text.split("\r\n")[0].strip())
            for arrow, where, text in entries
            if f"\r\nCall-ID: {call_id}\r\n" in text
        ]
        assert logged == [
            ("<-", here, "MESSAGE sip:bob@example.test SIP/2.0"),
            ("->", here, "SIP/2.0 200 OK"),
        ]
