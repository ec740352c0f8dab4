"""Finding 11: password guessing is throttled and every failure is logged.

About 650 guesses a second from one socket used to be answered, and failed
logins left no trace. Now failed authentications are counted per source
address and per user; past the limit the server answers 503 with
Retry-After (RFC 3261 21.5.4) until the block ends, even to the right
password, and each failure is one log line a tool like fail2ban can read
(format in docs/security.md).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import pytest

from softphone.server import AuthThrottle, LocalServer
from softphone.sip.auth import AuthenticationFailed
from tests.security.server_peers import RawClient

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {"sip:alice@example.com": "alice-pw", "sip:bob@example.com": "bob-pw"}

#: The line docs/security.md documents (after the logger's own prefix).
FAILURE = re.compile(
    r'auth failure from (?P<host>\S+) port (?P<port>\d+) user=(?P<user>"(?:[^"\\]|\\.)*")'
    r' realm=(?P<realm>"(?:[^"\\]|\\.)*") method=(?P<method>[A-Z]+) reason=(?P<reason>[a-z -]+)'
)


async def attempt(raw: RawClient, user: str, password: str) -> str:
    """One login: the final status (and Retry-After), or "refused" after a second 401."""
    try:
        response = await raw.send(
            "REGISTER",
            "sip:example.com",
            f"<sip:{user}@example.com>",
            [("Contact", raw.contact(user)), ("Expires", "60")],
            password=password,
        )
    except AuthenticationFailed:
        return "refused"
    retry = response.retry_after
    return f"{response.status}" + (f" retry-after {retry.seconds}" if retry else "")


@pytest.fixture
async def make_server() -> AsyncIterator[list[LocalServer]]:
    servers: list[LocalServer] = []
    yield servers
    for server in servers:
        await server.stop()


async def start(servers: list[LocalServer], throttle: AuthThrottle) -> LocalServer:
    server = LocalServer(PASSWORDS, domain="example.com", auth_throttle=throttle)
    await server.start("127.0.0.1", 0)
    servers.append(server)
    return server


async def test_a_guessing_source_is_answered_503_and_every_failure_logged(
    make_server: list[LocalServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="softphone.server.auth")
    throttle = AuthThrottle(failures_per_source=5, failures_per_user=100, window=60, block=30)
    server = await start(make_server, throttle)
    raw = await RawClient(server).start()
    try:
        answers = [await attempt(raw, "bob", f"guess-{i}") for i in range(7)]
        answers.append(await attempt(raw, "bob", "bob-pw"))
        answers.append(await attempt(raw, "alice", "alice-pw"))
    finally:
        raw.close()
    assert answers == ["refused"] * 5 + ["503 retry-after 30"] * 4
    lines = [r.getMessage() for r in caplog.records if r.name == "softphone.server.auth"]
    failures = [FAILURE.fullmatch(line) for line in lines if line.startswith("auth failure")]
    assert len(failures) == 5 and all(failures), lines
    assert {
        (m["host"], m["user"], m["realm"], m["method"], m["reason"]) for m in failures if m
    } == {("127.0.0.1", '"bob"', '"example.com"', "REGISTER", "wrong password")}
    assert any(line.startswith("auth blocked 127.0.0.1 for 30 s") for line in lines), lines


async def test_a_guessed_user_is_blocked_from_every_source(
    make_server: list[LocalServer],
) -> None:
    throttle = AuthThrottle(failures_per_source=100, failures_per_user=3, window=60, block=20)
    server = await start(make_server, throttle)
    clients = [await RawClient(server).start() for _ in range(3)]
    try:
        guesses = [await attempt(raw, "bob", "guess") for raw in clients]
        after = [await attempt(clients[0], "bob", "bob-pw")]
        # Alice, from the same address, is not held up by bob's block.
        after.append(await attempt(clients[1], "alice", "alice-pw"))
    finally:
        for raw in clients:
            raw.close()
    assert guesses == ["refused"] * 3
    assert after == ["503 retry-after 20", "200"]


async def test_a_hostile_user_name_stays_on_one_quoted_line(
    make_server: list[LocalServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="softphone.server.auth")
    server = await start(make_server, AuthThrottle())
    raw = await RawClient(server).start()
    hostile = 'bob" realm="x" from 203.0.113.9 port 1 \u202e'
    try:
        with pytest.raises(AuthenticationFailed):
            await raw.send(
                "REGISTER",
                "sip:example.com",
                "<sip:bob@example.com>",
                [("Contact", raw.contact("bob")), ("Expires", "60")],
                username=hostile,
                password="guess",
            )
    finally:
        raw.close()
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("auth failure")]
    match = FAILURE.fullmatch(line)
    assert match is not None, line
    assert (match["host"], json.loads(match["user"])) == ("127.0.0.1", hostile)
    assert line.isascii() and "\n" not in line
