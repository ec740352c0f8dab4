"""Finding 14: one user name in two domains means two accounts, two passwords.

The users file used to key passwords by user name alone, so
`sip:alice@example.com` and `sip:alice@other.org` shared whichever password
came last. Users are now keyed by their whole address: the digest realm is
the address's domain, and credentials prove exactly one address.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from softphone.sip.auth import AuthenticationFailed
from tests.security.server_peers import RawClient

pytestmark = pytest.mark.timeout(60)

USERS = {"sip:alice@example.com": "pw-example", "sip:alice@other.org": "pw-other"}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(USERS, domain="example.com")
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


async def test_each_address_has_its_own_password(server: LocalServer) -> None:
    raw = await RawClient(server).start()
    outcomes: list[tuple[str, str, int | str]] = []
    try:
        for aor, password in (
            ("sip:alice@example.com", "pw-other"),
            ("sip:alice@other.org", "pw-example"),
            ("sip:alice@example.com", "pw-example"),
            ("sip:alice@other.org", "pw-other"),
        ):
            domain = aor.split("@")[1]
            try:
                response = await raw.send(
                    "REGISTER",
                    f"sip:{domain}",
                    f"<{aor}>",
                    [("Contact", raw.contact("alice")), ("Expires", "60")],
                    password=password,
                )
                outcome: int | str = response.status
            except AuthenticationFailed:
                outcome = "refused"
            outcomes.append((aor, password, outcome))
    finally:
        raw.close()
    assert outcomes == [
        ("sip:alice@example.com", "pw-other", "refused"),
        ("sip:alice@other.org", "pw-example", "refused"),
        ("sip:alice@example.com", "pw-example", 200),
        ("sip:alice@other.org", "pw-other", 200),
    ]
    assert len(server.bindings("sip:alice@example.com")) == 1
    assert len(server.bindings("sip:alice@other.org")) == 1
