"""Finding 10: the server's answers must not tell who exists or who is online.

Unknown users used to get 404/403 where real ones got 401/407, and an
anonymous MESSAGE was answered 200, 480 or 404 depending on whether the
recipient was online, offline or unknown. Now every request for the served
domain is challenged alike, a wrong password and an unknown user are
answered alike, and only authenticated senders are relayed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from softphone.sip import Response
from softphone.sip.auth import AuthenticationFailed
from tests.security.server_peers import Device, RawClient

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {
    "sip:alice@example.com": "alice-pw",
    "sip:bob@example.com": "bob-pw",
    "sip:joe@example.com": "joe-pw",
}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(PASSWORDS, domain="example.com")
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


def shape(response: Response) -> tuple[int, str, list[str], list[str]]:
    """What an attacker can compare: code, reason, header names, challenge params."""
    names = sorted({name for name, _ in response.headers} - {"Content-Length"})
    challenges = [*response.www_authenticate, *response.proxy_authenticate]
    params = [",".join(sorted(name for name, _ in c.params)) for c in challenges]
    return response.status, response.reason, names, params


async def test_register_for_a_real_and_an_unknown_user_look_alike(raw: RawClient) -> None:
    shapes = []
    for user in ("bob", "nobody"):
        response = await raw.send(
            "REGISTER",
            "sip:example.com",
            f"<sip:{user}@example.com>",
            [("Contact", raw.contact(user)), ("Expires", "60")],
        )
        shapes.append(shape(response))
    assert shapes[0] == shapes[1]
    assert shapes[0][0] == 401
    # Credentials for an unknown user are refused as a wrong password is:
    # challenged again, and the client gives up.
    for user in ("bob", "nobody"):
        with pytest.raises(AuthenticationFailed):
            await raw.send(
                "REGISTER",
                "sip:example.com",
                f"<sip:{user}@example.com>",
                [("Contact", raw.contact(user)), ("Expires", "60")],
                password="guess",
            )


async def test_subscribe_from_a_real_and_an_unknown_user_look_alike(raw: RawClient) -> None:
    shapes = []
    for user in ("alice", "nobody"):
        response = await raw.send(
            "SUBSCRIBE",
            "sip:joe@example.com",
            f"<sip:{user}@example.com>",
            [("Event", "reg"), ("Contact", raw.contact(user)), ("Expires", "60")],
            to="<sip:joe@example.com>",
        )
        shapes.append(shape(response))
    assert shapes[0] == shapes[1]
    assert shapes[0][0] == 407


async def test_anonymous_message_cannot_tell_online_offline_or_unknown(
    server: LocalServer, raw: RawClient
) -> None:
    device = await Device(200).start()
    try:
        ok = await raw.send(
            "REGISTER",
            "sip:example.com",
            "<sip:bob@example.com>",
            [("Contact", f"<sip:bob@127.0.0.1:{device.port}>"), ("Expires", "60")],
            password="bob-pw",
        )
        assert ok.status == 200
        shapes = []
        for sender in ("<sip:mallory@evil.test>", "<sip:nobody@example.com>"):
            for user in ("bob", "joe", "nobody"):  # online, offline, unknown
                response = await raw.send(
                    "MESSAGE",
                    f"sip:{user}@example.com",
                    sender,
                    [("Content-Type", "text/plain")],
                    to=f"<sip:{user}@example.com>",
                    body=b"who is there?",
                )
                shapes.append(shape(response))
        assert len(set(map(repr, shapes))) == 1, shapes
        assert shapes[0][0] == 407
        assert device.requests == []  # nothing relayed for an anonymous sender
    finally:
        device.close()
