"""`softphone registrar` as a black box: users file, port 0, signals, errors.

The command is started as a subprocess with a users file (and its
[watchers] table); `softphone listen` registers through it and `softphone
send` messages through it; SIGTERM and SIGINT end it cleanly with exit 0.
A port out of range and a port in use each give one sentence naming the
port and the documented exit code (2 usage, 1 cannot listen), never a
traceback.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(90)

ROOT = Path(__file__).resolve().parents[2]

USERS_TOML = """\
[users]
"sip:alice@example.com" = "alice-secret"
"sip:bob@example.com" = "bob-secret"

[watchers]
"sip:bob@example.com" = ["sip:alice@example.com"]
"""


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
        PW_ALICE="alice-secret",
        PW_BOB="bob-secret",
    )
    return env


async def spawn(tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        *args,
        env=cli_env(tmp_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def json_line(process: asyncio.subprocess.Process) -> dict[str, object]:
    assert process.stdout is not None
    raw = await asyncio.wait_for(process.stdout.readline(), 20)
    assert raw, "the command exited"
    line: dict[str, object] = json.loads(raw)
    return line


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    path.write_text(USERS_TOML, encoding="utf-8")
    return path


@pytest.fixture
async def processes() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    started: list[asyncio.subprocess.Process] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()
            await process.wait()


def account(user: str, registrar: str, tmp_path: Path) -> list[str]:
    return [
        "--aor",
        f"sip:{user}@example.com",
        "--registrar",
        registrar,
        "--password-env",
        f"PW_{user.upper()}",
        "--listen-host",
        "127.0.0.1",
        "--db",
        str(tmp_path / f"{user}.sqlite3"),
    ]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_register_and_message_through_the_command_then_stop(
    tmp_path: Path,
    users_file: Path,
    processes: list[asyncio.subprocess.Process],
    sig: signal.Signals,
) -> None:
    registrar = await spawn(
        tmp_path, "registrar", "--users", str(users_file), "--host", "127.0.0.1", "--port", "0"
    )
    processes.append(registrar)
    listening = await json_line(registrar)
    assert (listening["event"], listening["domain"]) == ("listening", "example.com")
    hostport = str(listening["address"])
    assert hostport.startswith("127.0.0.1:") and not hostport.endswith(":0")

    bob = await spawn(tmp_path, "listen", *account("bob", hostport, tmp_path))
    processes.append(bob)
    while (await json_line(bob)).get("state") != "registered":
        pass
    send = await spawn(
        tmp_path, "send", *account("alice", hostport, tmp_path), "sip:bob@example.com", "hello"
    )
    out, _ = await asyncio.wait_for(send.communicate(), 40)
    assert send.returncode == 0
    assert json.loads(out) == {"state": "delivered", "code": 200, "reason": "OK"}
    received = await json_line(bob)
    assert (received["from"], received["body"]) == ("sip:alice@example.com", "hello")

    bob.send_signal(signal.SIGINT)
    await asyncio.wait_for(bob.wait(), 20)
    registrar.send_signal(sig)
    out, err = await asyncio.wait_for(registrar.communicate(), 20)
    assert registrar.returncode == 0
    assert [json.loads(line) for line in out.splitlines()] == [{"event": "stopped"}]
    assert b"Traceback" not in err


async def test_a_port_out_of_range_is_one_sentence_and_exit_2(
    tmp_path: Path, users_file: Path
) -> None:
    process = await spawn(tmp_path, "registrar", "--users", str(users_file), "--port", "70000")
    out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert out == b""
    assert err.decode().splitlines()[-1] == (
        "softphone registrar: error: argument --port: 70000 is not a port number (0 to 65535)"
    )
    assert b"Traceback" not in err


async def test_a_port_in_use_is_one_sentence_with_the_port_and_exit_1(
    tmp_path: Path, users_file: Path
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        process = await spawn(
            tmp_path, "registrar", "--users", str(users_file), "--port", str(port)
        )
        out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 1
    assert out == b""
    assert err.decode().splitlines() == [
        f"softphone: cannot listen on 127.0.0.1 port {port}: Address already in use"
    ]


async def test_a_broken_users_file_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text('[watchers]\n"sip:bob@example.com" = "alice"\n', encoding="utf-8")
    process = await spawn(tmp_path, "registrar", "--users", str(path), "--port", "0")
    _, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert err.decode().splitlines() == [
        f'softphone: the users file {path} needs a [users] table like "sip:bob@example.com"'
        ' = "password"'
    ]


async def test_help_documents_the_users_file_and_exit_codes(tmp_path: Path) -> None:
    process = await spawn(tmp_path, "registrar", "--help")
    out, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    text = out.decode()
    for needed in (
        "[users]",
        "[watchers]",
        '"sip:bob@example.com" = ["sip:alice@example.com"]',
        "auth failure from HOST port PORT",
        "exit status: 0 stopped by SIGINT or SIGTERM; 1 cannot listen",
        "--max-bindings",
    ):
        assert needed in text, needed
