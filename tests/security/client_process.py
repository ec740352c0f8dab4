"""`softphone listen` as the product runs it, registered with `softphone registrar`.

Both are subprocesses on loopback; the test talks to the client's port with
a raw UDP socket as an attacker would, and reads the client's JSON lines
and its database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from softphone.sip import Response, parse
from softphone.transport.base import Address

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "example.com"


def free_port() -> int:
    """A port free for both UDP and TCP on loopback."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def env(tmp_path: Path) -> dict[str, str]:
    """No settings file, no keyring; the password in PW."""
    values = dict(os.environ)
    values.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
        PW="bob-pw",
    )
    return values


@dataclass
class Process:
    """A running subprocess whose JSON lines are collected."""

    process: asyncio.subprocess.Process
    lines: list[dict[str, object]] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    def start_reading(self) -> None:
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            with contextlib.suppress(ValueError):
                self.lines.append(json.loads(raw))

    async def wait_for(
        self, predicate: Callable[[dict[str, object]], bool], timeout: float
    ) -> None:
        async with asyncio.timeout(timeout):
            while not any(predicate(line) for line in self.lines):
                if self.process.returncode is not None:
                    raise AssertionError(f"exited {self.process.returncode}: {self.lines}")
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(15):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


async def spawn(tmp_path: Path, args: Sequence[str], **kwargs: object) -> Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        *args,
        env=env(tmp_path),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        **kwargs,  # type: ignore[arg-type]
    )
    running = Process(process)
    running.start_reading()
    return running


@dataclass
class Client:
    """`softphone listen` for Bob and the registrar it registered with."""

    listen: Process
    registrar: Process
    address: Address
    registrar_address: Address
    db: Path


@contextlib.asynccontextmanager
async def listening_client(
    tmp_path: Path, *extra: str, preexec_fn: Callable[[], None] | None = None
) -> AsyncIterator[Client]:
    """Start the registrar and `softphone listen` (Bob) registered with it."""
    users = tmp_path / "users.toml"
    users.write_text(f'[users]\n"sip:bob@{DOMAIN}" = "bob-pw"\n"sip:alice@{DOMAIN}" = "alice-pw"\n')
    registrar_port = free_port()
    registrar = await spawn(
        tmp_path,
        ["registrar", "--users", str(users), "--port", str(registrar_port), "--domain", DOMAIN],
    )
    listen: Process | None = None
    try:
        await registrar.wait_for(lambda line: line.get("event") == "listening", 30)
        port = free_port()
        db = tmp_path / "bob.db"
        listen = await spawn(
            tmp_path,
            [
                *("listen", "--aor", f"sip:bob@{DOMAIN}", "--password-env", "PW"),
                *("--registrar", f"127.0.0.1:{registrar_port}", "--local-port", str(port)),
                *("--listen-host", "127.0.0.1", "--db", str(db), *extra),
            ],
            preexec_fn=preexec_fn,
        )
        await listen.wait_for(lambda line: line.get("state") == "registered", 30)
        yield Client(
            listen, registrar, Address("127.0.0.1", port), Address("127.0.0.1", registrar_port), db
        )
    finally:
        if listen is not None:
            await listen.stop()
        await registrar.stop()


def message(number: int, body: bytes = b"hello", *, sender: str = "mallory") -> bytes:
    """A MESSAGE to Bob sent straight to his port."""
    return (
        f"MESSAGE sip:bob@{DOMAIN} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKsec{sender}{number};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:{sender}@{DOMAIN}>;tag=s{number}\r\n"
        f"To: <sip:bob@{DOMAIN}>\r\n"
        f"Call-ID: sec-{sender}-{number}@127.0.0.1\r\n"
        f"CSeq: 1 MESSAGE\r\n"
        f"Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


#: What a raw socket may keep unread: the answers to a 300-message burst
#: several times over.
RAW_RECEIVE_BUFFER = 4 * 1024 * 1024
#: Linux's SO_RCVBUFFORCE (asm-generic/socket.h); the socket module lacks the name.
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


class RawSocket:
    """A UDP socket that sends raw datagrams and collects the answers."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # The answers to a burst can all wait here: the client writes the
        # answers of one loop turn back to back, and a loaded machine may
        # not run this process meanwhile. The default buffer (208 KB) holds
        # fewer than 300 and the kernel drops the rest unseen. SO_RCVBUF is
        # capped at net.core.rmem_max (208 KB unless raised); root, as CI
        # runs, may go past it with SO_RCVBUFFORCE (socket(7)).
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RAW_RECEIVE_BUFFER)
        except OSError:  # not root: as much as rmem_max allows
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RAW_RECEIVE_BUFFER)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)

    async def send(self, data: bytes, to: Address) -> None:
        await asyncio.get_running_loop().sock_sendto(self.sock, data, (to.host, to.port))

    async def answers(self, count: int, timeout: float = 30.0) -> list[Response]:
        """The next *count* final answers, in the order they came."""
        loop = asyncio.get_running_loop()
        found: list[Response] = []
        async with asyncio.timeout(timeout):
            while len(found) < count:
                data, _ = await loop.sock_recvfrom(self.sock, 65535)
                answer = parse(data)
                if isinstance(answer, Response) and answer.status >= 200:
                    found.append(answer)
        return found

    async def exchange(self, data: bytes, to: Address) -> Response:
        await self.send(data, to)
        return (await self.answers(1))[0]

    def close(self) -> None:
        self.sock.close()
