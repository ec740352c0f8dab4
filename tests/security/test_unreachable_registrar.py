"""Finding 19 (part): `softphone send` to a registrar where nothing listens.

Before, a one-shot `send` whose registrar's port was closed waited for
timer F (32 s) and then spoke of "retrying". Now an ICMP "port unreachable"
(seen on a connected UDP socket) or a refused TCP connection ends the
attempt at once with "connection refused"; the next RFC 3263 target is
still tried, and the command says in one sentence why it failed, with exit
code 1 (`softphone/cli.py`). Everything runs through the `softphone`
command, against real sockets, a real dnsmasq and `softphone registrar`.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
from pathlib import Path

import pytest

from tests.resolver.dnsmasq import Dnsmasq
from tests.security.client_process import env, free_port, spawn

pytestmark = pytest.mark.timeout(120)

DOMAIN = "fail.test"


def closed_port(kind: int) -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def account(user: str, db: Path, *extra: str) -> list[str]:
    return [
        *("--aor", f"sip:{user}@{DOMAIN}", "--password-env", "PW"),
        *("--listen-host", "127.0.0.1", "--db", str(db), *extra),
    ]


async def run_send(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        "send",
        *args,
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    lines = [json.loads(line) for line in out.decode().splitlines()]
    return process.returncode, lines, err.decode()


def _env(tmp_path: Path) -> dict[str, str]:
    values = env(tmp_path)
    values["PW"] = "alice-pw"
    return values


@pytest.mark.parametrize(
    ("transport", "kind"),
    [("udp", socket.SOCK_DGRAM), ("tcp", socket.SOCK_STREAM)],
)
async def test_closed_registrar_port_fails_at_once_with_one_sentence(
    tmp_path: Path, transport: str, kind: int
) -> None:
    port = closed_port(kind)
    code, lines, err = await run_send(
        tmp_path,
        *account("alice", tmp_path / "alice.db", "--registrar", f"127.0.0.1:{port}"),
        *("--transport", transport),
        f"sip:bob@{DOMAIN}",
        "hello",
    )
    assert "Traceback" not in err
    assert code == 1
    assert lines == [
        {
            "state": "failed",
            "code": None,
            "reason": f"not registered: Cannot reach 127.0.0.1:{port} (connection refused)",
        }
    ]
    # The outcome came from the refusal, not from timer F.
    assert "after 32 s" not in json.dumps(lines)
    assert "retrying" not in json.dumps(lines) and "trying again" not in json.dumps(lines)


async def test_dead_first_target_is_left_for_the_second(tmp_path: Path) -> None:
    """RFC 3263: SRV lists a closed port first, `softphone registrar` second."""
    users = tmp_path / "users.toml"
    users.write_text(f'[users]\n"sip:alice@{DOMAIN}" = "alice-pw"\n"sip:bob@{DOMAIN}" = "bob-pw"\n')
    live = free_port()
    registrar = await spawn(
        tmp_path,
        ["registrar", "--users", str(users), "--port", str(live), "--domain", DOMAIN],
    )
    dead = closed_port(socket.SOCK_DGRAM)
    dns = Dnsmasq(
        tmp_path,
        [
            f"--srv-host=_sip._udp.{DOMAIN},sip1.{DOMAIN},{dead},10,0",
            f"--srv-host=_sip._udp.{DOMAIN},sip2.{DOMAIN},{live},20,0",
            f"--host-record=sip1.{DOMAIN},127.0.0.1",
            f"--host-record=sip2.{DOMAIN},127.0.0.1",
        ],
    )
    try:
        await registrar.wait_for(lambda line: line.get("event") == "listening", 30)
        dns.start()
        code, lines, err = await run_send(
            tmp_path,
            "-v",
            *account("alice", tmp_path / "alice.db", "--dns-server", dns.nameserver),
            f"sip:nobody@{DOMAIN}",
            "hello",
        )
    finally:
        dns.stop()
        await registrar.stop()
    assert "Traceback" not in err
    # Registered on the second server: the message reached its relay, which
    # knows no user nobody@ (404): the server's answer, not a local failure.
    assert (code, lines) == (1, [{"state": "failed", "code": 404, "reason": "Not Found"}])
    # The order tried: the dead server first (refused at once), then the live one.
    sent_to = re.findall(r"-> udp 127\.0\.0\.1:(\d+)\nREGISTER ", err)
    assert sent_to[0] == str(dead) and str(live) in sent_to
    assert sent_to.index(str(live)) > 0
    assert f"127.0.0.1:{dead} failed (connection refused); trying the next server" in err
