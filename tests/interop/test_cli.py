"""The headless command line as a black box: `python3 -m softphone send|listen`.

Each command runs as a subprocess against a real Kamailio, with the
password in an environment variable named by --password-env; the tests read
its JSON lines, its exit code and its words on standard error.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess
from tests.interop.test_registration_kamailio import query_bindings

ROOT = Path(__file__).resolve().parents[2]


def cli_env(tmp_path: Path) -> dict[str, str]:
    """No settings file, no keyring, the test users' passwords in variables."""
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
    )
    for user, password in USERS.items():
        env[f"PW_{user.upper()}"] = password
    env.pop("PW_NOBODY", None)
    return env


def account_args(kam: KamailioProcess, user: str, tmp_path: Path) -> list[str]:
    return [
        "--aor",
        f"sip:{user}@{kam.domain}",
        "--registrar",
        kam.hostport,
        "--password-env",
        f"PW_{user.upper()}",
        "--listen-host",
        "127.0.0.1",
        "--db",
        str(tmp_path / f"{user}.sqlite3"),
    ]


async def run_cli(tmp_path: Path, *args: str, timeout: float = 30.0) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        *args,
        env=cli_env(tmp_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def send(
    kam: KamailioProcess, tmp_path: Path, user: str, to: str, text: str, *extra: str
) -> tuple[int, dict[str, object], str]:
    code, out, err = await run_cli(
        tmp_path, "send", *account_args(kam, user, tmp_path), *extra, to, text
    )
    lines = out.splitlines()
    assert len(lines) == 1, (out, err)
    return code, json.loads(lines[0]), err


class Listener:
    """A `softphone listen` subprocess whose JSON lines are read as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[dict[str, object]] = []

    async def next_line(self, timeout: float = 10.0) -> dict[str, object]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        assert raw, "listen exited"
        line: dict[str, object] = json.loads(raw)
        self.lines.append(line)
        return line

    async def registered(self) -> None:
        while True:
            line = await self.next_line()
            if line.get("event") == "registration" and line.get("state") == "registered":
                return

    async def interrupt(self, timeout: float = 10.0) -> int:
        self.process.send_signal(signal.SIGINT)
        assert self.process.stdout is not None
        rest = await asyncio.wait_for(self.process.stdout.read(), timeout)
        self.lines += [json.loads(line) for line in rest.decode().splitlines()]
        return await asyncio.wait_for(self.process.wait(), timeout)


@pytest.fixture
async def listen_factory(tmp_path: Path) -> AsyncIterator[list[Listener]]:
    started: list[Listener] = []
    yield started
    for listener in started:
        if listener.process.returncode is None:
            listener.process.kill()
            await listener.process.wait()


async def start_listen(
    kam: KamailioProcess, tmp_path: Path, user: str, started: list[Listener]
) -> Listener:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        "listen",
        *account_args(kam, user, tmp_path),
        env=cli_env(tmp_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    listener = Listener(process)
    started.append(listener)
    return listener


@pytest.mark.interop
@harness.requires_kamailio
async def test_send_to_listening_bob_is_delivered_then_quit_unregisters(
    kamailio: KamailioProcess, tmp_path: Path, listen_factory: list[Listener]
) -> None:
    bob = await start_listen(kamailio, tmp_path, "bob", listen_factory)
    await bob.registered()
    text = "안녕하세요! 밥"
    code, result, _ = await send(kamailio, tmp_path, "alice", "sip:bob@example.test", text)
    assert (code, result) == (0, {"state": "delivered", "code": 200, "reason": "OK"})
    line = await bob.next_line()
    assert {k: line[k] for k in ("from", "to", "body", "content_type")} == {
        "from": "sip:alice@example.test",
        "to": "sip:bob@example.test",
        "body": "안녕하세요! 밥",
        "content_type": "text/plain;charset=UTF-8",
    }
    assert isinstance(line["time"], float)
    assert await query_bindings(kamailio, "bob") != []
    assert await bob.interrupt() == 0
    assert bob.lines[-1] == {
        "event": "registration",
        "state": "unregistered",
        "text": "Not registered",
    }
    assert await query_bindings(kamailio, "bob") == []
    # `send` unregistered too when it finished.
    assert await query_bindings(kamailio, "alice") == []


@pytest.mark.interop
@harness.requires_kamailio
async def test_send_to_unknown_user_exits_1_with_404(
    kamailio: KamailioProcess, tmp_path: Path
) -> None:
    code, result, _ = await send(kamailio, tmp_path, "alice", "sip:nobody@example.test", "hi")
    assert (code, result) == (1, {"state": "failed", "code": 404, "reason": "Not Found"})


@pytest.mark.interop
@harness.requires_kamailio
async def test_offline_message_is_printed_by_listen_on_registration(
    kamailio: KamailioProcess, tmp_path: Path, listen_factory: list[Listener]
) -> None:
    code, result, _ = await send(
        kamailio, tmp_path, "alice", "sip:carol@example.test", "while you were out"
    )
    assert (code, result) == (0, {"state": "accepted", "code": 202, "reason": "Accepted"})
    carol = await start_listen(kamailio, tmp_path, "carol", listen_factory)
    await carol.registered()
    line = await carol.next_line()
    assert (line["from"], line["body"]) == ("sip:alice@example.test", "while you were out")
    assert await carol.interrupt() == 0


@pytest.mark.interop
@harness.requires_kamailio
async def test_wrong_password_exits_1_and_never_logs_secrets(
    kamailio: KamailioProcess, tmp_path: Path
) -> None:
    code, result, err = await send(
        kamailio, tmp_path, "alice", "sip:bob@example.test", "hi", "--password-env", "PW_BOB", "-v"
    )
    assert code == 1
    assert result == {
        "state": "failed",
        "code": None,
        "reason": "not registered: Wrong credentials (403 Forbidden)",
    }
    # -v logs every message, with the credentials redacted.
    assert "REGISTER sip:example.test SIP/2.0" in err
    assert "Authorization: <redacted>" in err
    assert USERS["bob"] not in err and 'response="' not in err


async def test_usage_errors_exit_2_with_a_sentence(tmp_path: Path) -> None:
    code, out, err = await run_cli(tmp_path, "send", "sip:bob@example.test", "hi")
    assert (code, out) == (2, "")
    assert err.startswith("softphone: No account is set up: give --aor sip:alice@example.com")

    code, out, err = await run_cli(
        tmp_path,
        "send",
        "--aor",
        "sip:alice@example.test",
        "--registrar",
        "127.0.0.1:9",
        "--password-env",
        "PW_NOBODY",
        "sip:bob@example.test",
        "hi",
    )
    assert (code, out) == (2, "")
    assert "The environment variable PW_NOBODY" in err and "is not set" in err

    code, out, err = await run_cli(tmp_path, "send", "--aor", "alice", "sip:bob@x", "hi")
    assert code == 2
    assert "must look like sip:alice@example.com" in err

    code, out, err = await run_cli(tmp_path, "send", "--transport", "carrier-pigeon", "x", "y")
    assert code == 2
    assert "invalid choice: 'carrier-pigeon'" in err
