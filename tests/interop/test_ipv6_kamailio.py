"""Registration and MESSAGE over IPv6 through a real Kamailio listening on [::1]."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.app import AppOptions
from softphone.services.registration import RegistrationState
from softphone.sip.delivery import DeliveryState
from softphone.transport.base import Address, TransportKind
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess, start_kamailio
from tests.interop.phone import Phone
from tests.resolver.dnsmasq import Dnsmasq

S = RegistrationState


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture(scope="module", autouse=True)
def ipv6_loopback() -> None:
    """Skip without [::1]; under CI=true fail (.ci/run turns IPv6 on for lo)."""
    if not _has_ipv6_loopback():
        reason = "no IPv6 loopback (::1): sysctl -w net.ipv6.conf.lo.disable_ipv6=0"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def kam6(
    ipv6_loopback: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KamailioProcess]:
    kamailio = start_kamailio(tmp_path_factory.mktemp("kam6"), USERS, ipv6=True)
    yield kamailio
    kamailio.stop()


@pytest.fixture
async def phones() -> AsyncIterator[list[Phone]]:
    started: list[Phone] = []
    yield started
    for phone in started:
        await phone.app.stop()


async def start_phone(phones: list[Phone], account: Account, **options: object) -> Phone:
    settings: dict[str, object] = {"keepalive_interval": 0, "expires": 300, **options}
    phone = Phone(
        account,
        USERS[account.uri.user or ""],
        AppOptions(listen_host="::1", **settings),  # type: ignore[arg-type]
    )
    phones.append(phone)
    await phone.app.start()
    return phone


@pytest.mark.parametrize("kind", [TransportKind.UDP, TransportKind.TCP])
async def test_register_and_message_over_ipv6(
    kam6: KamailioProcess, phones: list[Phone], kind: TransportKind
) -> None:
    registrar = f"[::1]:{kam6.port}"
    alice = await start_phone(
        phones, Account("sip:alice@example.test", registrar=registrar, transport=kind)
    )
    bob = await start_phone(
        phones, Account("sip:bob@example.test", registrar=registrar, transport=kind)
    )
    for phone in (alice, bob):
        status = await phone.settled()
        assert status.state is S.REGISTERED, status
        # A numeric registrar: the plain text, and the server as an IPv6 reference.
        assert status.server == f"[::1]:{kam6.port}"
        contact = phone.app.registration.contact if phone.app.registration else None
        assert contact is not None and contact.host == "[::1]"
        registers = phone.requests_sent("REGISTER")
        assert registers and all(e.remote == Address("::1", kam6.port) for e in registers)
        via = registers[0].text.split("Via:", 1)[1].split("\r\n", 1)[0]
        assert f"SIP/2.0/{kind.via_name} [::1]:" in via

    record = await alice.send("sip:bob@example.test", "hello over IPv6")
    assert record.state is DeliveryState.DELIVERED, record
    await bob.wait(lambda: len(bob.inbox) == 1, timeout=10.0)
    assert bob.inbox[0].body == "hello over IPv6"
    assert bob.inbox[0].peer == "sip:alice@example.test"


async def test_aaaa_target_found_in_dns(
    kam6: KamailioProcess, tmp_path: Path, phones: list[Phone]
) -> None:
    dns = Dnsmasq(
        tmp_path,
        [
            f"--srv-host=_sip._udp.example.test,v6.example.test,{kam6.port},10,0",
            "--host-record=v6.example.test,::1",
        ],
    )
    dns.start()
    try:
        alice = await start_phone(
            phones, Account("sip:alice@example.test"), dns_server=dns.nameserver
        )
        status = await alice.settled()
        assert status.state is S.REGISTERED, status
        assert status.text == f"Registered as alice@example.test (via [::1]:{kam6.port})"
        assert ("AAAA", "v6.example.test") in dns.queries()
        record = await alice.send("sip:alice@example.test", "to myself, over IPv6")
        assert record.state is DeliveryState.DELIVERED, record
    finally:
        dns.stop()
