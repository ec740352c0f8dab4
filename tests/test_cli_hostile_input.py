"""`softphone listen` facing hostile MESSAGEs: 415 for a charset that is no text
encoding, and a sender's direction overrides and line breaks escaped in the
JSON lines (a terminal shows them as escapes; a JSON reader gets them back).

The listener runs as a subprocess registering with a silent registrar (it
listens all the same); a raw UDP socket sends to its port.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.sip import Response, parse
from tests.helpers import cli_env
from tests.interop.harness import free_port


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    env = cli_env(tmp_path, SOFTPHONE_TEST_PW="secret")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "softphone",
            "listen",
            "--aor",
            "sip:bob@example.test",
            "--password-env",
            "SOFTPHONE_TEST_PW",
            "--registrar",
            f"127.0.0.1:{silent.getsockname()[1]}",
            "--listen-host",
            "127.0.0.1",
            "--local-port",
            str(port),
            "--db",
            str(tmp_path / "bob.db"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, port
    finally:
        process.kill()
        process.wait()
        silent.close()


def message(port: int, n: int, content_type: str, body: bytes) -> int | None:
    """Send one MESSAGE to the listener; its final status, or None if none came."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(1.0)
        data = (
            f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{sock.getsockname()[1]};branch=z9hG4bKcli{n}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:mallory@example.test>;tag=m{n}\r\n"
            f"To: <sip:bob@example.test>\r\nCall-ID: cli-{n}@127.0.0.1\r\nCSeq: 1 MESSAGE\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        for _ in range(30):  # the listener may still be starting
            sock.sendto(data, ("127.0.0.1", port))
            try:
                answer = parse(sock.recv(65535))
            except TimeoutError:
                continue
            if isinstance(answer, Response) and answer.status >= 200:
                return answer.status
    return None


def test_base64_charset_is_415_and_overrides_are_escaped(
    listener: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = listener
    assert message(port, 1, "text/plain;charset=base64", b"aGVsbG8=") == 415
    assert message(port, 2, "text/plain;charset=BASE64", b"aGVsbG8=") == 415
    hostile = "see invoice\u202egnp.exe\nand\u2028more"
    assert message(port, 3, "text/plain;charset=utf-8", hostile.encode()) == 200
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        raw = process.stdout.readline()
        if b'"body"' in raw:
            break
    else:
        pytest.fail("listen printed no message")
    # On the terminal: escapes, never the raw override or line breaks.
    assert b"\xe2\x80\xae" not in raw and b"\xe2\x80\xa8" not in raw
    assert raw.count(b"\n") == 1 and b"\\u202e" in raw and b"\\n" in raw
    assert json.loads(raw)["body"] == hostile
    assert process.poll() is None  # still listening
