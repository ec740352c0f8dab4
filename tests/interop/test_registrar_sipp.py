"""The embedded server (`softphone.server.LocalServer`) driven by SIPp.

SIPp runs in a thread (it blocks) while the server runs on the test's
event loop. Users and passwords are the harness's own (`conftest.USERS`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lxml import etree

from softphone.server import LocalServer
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import DOMAIN, SippResult, run_sipp, start_sipp_uas

pytestmark = [pytest.mark.interop, harness.requires_sipp, pytest.mark.timeout(60)]

NS = {"r": "urn:ietf:params:xml:ns:reginfo"}

#: The Request-URI each scenario sends, from its -s service (SIPp adds "sip:").
AUTH_URIS = {
    "uac_register_auth.xml": lambda _: DOMAIN,
    "uac_subscribe_reg.xml": lambda kw: f"{kw['service']}@{DOMAIN}",
    "uac_message.xml": lambda kw: f"{kw['service']}@{DOMAIN}",
    "uac_message_any.xml": lambda kw: f"{kw['service']}@{DOMAIN}",
}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    # SIPp 3.6 answers only the first challenge and knows only MD5, so the
    # SHA-256 challenge the server puts first by default is left out here.
    srv = LocalServer(
        {f"sip:{u}@{DOMAIN}": p for u, p in USERS.items()},
        domain=DOMAIN,
        digest_algorithms=("MD5",),
        watchers={f"sip:joe@{DOMAIN}": [f"sip:alice@{DOMAIN}"]},
    )
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


async def sipp(scenario: str, tmp_path: Path, server: LocalServer, **kwargs: object) -> SippResult:
    # The server binds the digest uri to the Request-URI (RFC 3261 22.4);
    # SIPp puts its remote address there unless told otherwise.
    return await asyncio.to_thread(
        run_sipp,
        scenario,
        tmp_path / "sipp",
        "-auth_uri",
        AUTH_URIS[scenario](kwargs),
        remote=server.address.sent_by,
        wait=15,
        **kwargs,
    )


async def register(server: LocalServer, tmp_path: Path, user: str, port: int) -> SippResult:
    return await sipp(
        "uac_register_auth.xml",
        tmp_path,
        server,
        service=user,
        auth=(user, USERS[user]),
        keys={"contact_port": str(port), "expires": "300"},
    )


async def test_sipp_registers_with_digest(server: LocalServer, tmp_path: Path) -> None:
    result = await register(server, tmp_path, "bob", 40001)
    assert result.returncode == 0, result.describe()
    assert result.final_statuses() == [401, 200]
    challenge = result.received()[0].header("WWW-Authenticate") or ""
    assert f'realm="{DOMAIN}"' in challenge
    (binding,) = server.bindings(f"sip:bob@{DOMAIN}")
    assert binding.uri.startswith("sip:bob@127.0.0.1:40001")
    assert 0 < binding.remaining(asyncio.get_running_loop().time()) <= 300


async def test_sipp_wrong_password_gets_a_second_401(server: LocalServer, tmp_path: Path) -> None:
    result = await sipp(
        "uac_register_auth.xml",
        tmp_path,
        server,
        service="bob",
        auth=("bob", "wrong"),
        keys={"contact_port": "40002"},
    )
    assert result.returncode != 0
    assert result.final_statuses() == [401, 401]
    assert server.bindings(f"sip:bob@{DOMAIN}") == []


async def test_sipp_subscribe_gets_full_init_document(server: LocalServer, tmp_path: Path) -> None:
    result = await sipp(
        "uac_subscribe_reg.xml",
        tmp_path,
        server,
        service="joe",
        auth=("alice", USERS["alice"]),
        keys={"expires": "600"},
    )
    assert result.returncode == 0, result.describe()
    assert result.final_statuses() == [407, 200]
    (notify,) = result.received("NOTIFY")
    assert (notify.header("Subscription-State") or "").startswith("active;expires=")
    doc = etree.fromstring(notify.body.strip().encode())
    assert (doc.get("version"), doc.get("state")) == ("0", "full")
    (registration,) = doc.findall("r:registration", NS)
    assert registration.get("aor") == f"sip:joe@{DOMAIN}"
    assert registration.get("state") == "init"
    assert server.subscription_count == 1


async def test_sipp_message_is_relayed_to_the_registered_contact(
    server: LocalServer, tmp_path: Path
) -> None:
    uas = await asyncio.to_thread(start_sipp_uas, "uas_message.xml", tmp_path / "uas")
    try:
        registered = await register(server, tmp_path, "bob", uas.port)
        assert registered.returncode == 0, registered.describe()
        result = await sipp(
            "uac_message.xml",
            tmp_path,
            server,
            service="bob",
            auth=("alice", USERS["alice"]),
            keys={"from_user": "alice", "text": "relayed"},
        )
        assert result.returncode == 0, result.describe()
        assert result.final_statuses() == [407, 200]
        (relayed,) = await asyncio.to_thread(uas.wait_for, "MESSAGE", 1, timeout=5)
        assert relayed.body.startswith("relayed")
        assert (relayed.header("From") or "").startswith(f"<sip:alice@{DOMAIN}>")
    finally:
        await asyncio.to_thread(uas.stop)


async def test_sipp_message_to_offline_and_unknown_users(
    server: LocalServer, tmp_path: Path
) -> None:
    codes = []
    for user in ("joe", "nobody"):
        result = await sipp(
            "uac_message_any.xml",
            tmp_path,
            server,
            service=user,
            auth=("alice", USERS["alice"]),
            keys={"from_user": "alice"},
        )
        codes.append(result.final_statuses()[-1])
    assert codes == [480, 404]
