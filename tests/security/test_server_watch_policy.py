"""Finding 7: who may watch whom (RFC 3680 section 5).

Any authenticated user could subscribe to any user's registrations and so
learn their devices' addresses, ports and Call-IDs. Now a user may watch
its own address; others only when the watched user's `watchers` list (the
users file's [watchers] table) names them. A refused watcher gets 403, and
a subscription to a user who does not exist looks the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from softphone.sip import Response
from tests.security.server_peers import RawClient

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {
    "sip:alice@example.com": "alice-pw",
    "sip:bob@example.com": "bob-pw",
    "sip:joe@example.com": "joe-pw",
    "sip:app.example.com": "app-pw",
}
WATCHERS = {"sip:joe@example.com": ["sip:bob@example.com", "sip:app.example.com"]}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(PASSWORDS, domain="example.com", watchers=WATCHERS)
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def raw(server: LocalServer) -> AsyncIterator[RawClient]:
    client = await RawClient(server).start()
    yield client
    client.close()


async def subscribe(raw: RawClient, watcher: str, watched: str) -> Response:
    user = watcher.split(":")[1].split("@")[0]
    return await raw.send(
        "SUBSCRIBE",
        watched,
        f"<{watcher}>",
        [("Event", "reg"), ("Contact", raw.contact(user)), ("Expires", "0")],
        to=f"<{watched}>",
        username=user,
        password=PASSWORDS[watcher],
    )


async def test_only_the_user_and_its_listed_watchers_may_watch(
    server: LocalServer, raw: RawClient
) -> None:
    answers = []
    for watcher, watched in (
        ("sip:alice@example.com", "sip:alice@example.com"),  # oneself
        ("sip:bob@example.com", "sip:joe@example.com"),  # listed
        ("sip:app.example.com", "sip:joe@example.com"),  # listed application server
        ("sip:alice@example.com", "sip:joe@example.com"),  # not listed
        ("sip:joe@example.com", "sip:bob@example.com"),  # bob lists nobody
        ("sip:alice@example.com", "sip:nobody@example.com"),  # no such user
        ("sip:alice@example.com", "sip:joe@other.example"),  # not served here
    ):
        response = await subscribe(raw, watcher, watched)
        answers.append((response.status, response.reason))
    assert answers == [(200, "OK")] * 3 + [(403, "Forbidden")] * 4


def test_watchers_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="watchers"):
        LocalServer(PASSWORDS, watchers={"sip:joe@example.com": ["not an address"]})
