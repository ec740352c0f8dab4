"""The product finds its server in DNS (RFC 3263) and registers with a real Kamailio.

A dnsmasq started by each test serves the records for `example.test`
(Kamailio's domain) pointing at 127.0.0.1 and Kamailio's port; the
application is set up with the address and password alone.
"""

from __future__ import annotations

import os
import signal
import socket
import time
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
ALICE = "sip:alice@example.test"


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KamailioProcess]:
    kamailio = start_kamailio(tmp_path_factory.mktemp("kam"), USERS)
    yield kamailio
    kamailio.stop()


@pytest.fixture
def dns_factory(tmp_path: Path) -> Iterator[list[Dnsmasq]]:
    started: list[Dnsmasq] = []
    yield started
    for server in started:
        server.stop()


def start_dns(started: list[Dnsmasq], tmp_path: Path, records: list[str]) -> Dnsmasq:
    directory = tmp_path / f"dns{len(started)}"
    directory.mkdir()
    server = Dnsmasq(directory, records, ttl=60)
    server.start()
    started.append(server)
    return server


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def phones() -> AsyncIterator[list[Phone]]:
    started: list[Phone] = []
    yield started
    for phone in started:
        await phone.app.stop()


async def phone(phones: list[Phone], dns: Dnsmasq, account: Account, **options: object) -> Phone:
    settings: dict[str, object] = {"keepalive_interval": 0, "expires": 300, **options}
    opts = AppOptions(
        listen_host="127.0.0.1",
        dns_server=dns.nameserver,
        **settings,  # type: ignore[arg-type]
    )
    p = Phone(account, USERS[account.uri.user or ""], opts)
    phones.append(p)
    await p.app.start()
    return p


async def test_srv_first_target_dead_registers_on_the_second(
    kam: KamailioProcess, tmp_path: Path, dns_factory: list[Dnsmasq], phones: list[Phone]
) -> None:
    dead_port = closed_udp_port()
    dns = start_dns(
        dns_factory,
        tmp_path,
        [
            f"--srv-host=_sip._udp.example.test,sip1.example.test,{dead_port},10,0",
            f"--srv-host=_sip._udp.example.test,sip2.example.test,{kam.port},20,0",
            "--host-record=sip1.example.test,127.0.0.1",
            "--host-record=sip2.example.test,127.0.0.1",
        ],
    )
    started = time.monotonic()
    alice = await phone(phones, dns, Account(ALICE))
    status = await alice.settled()
    took = time.monotonic() - started

    assert status.state is S.REGISTERED, status
    assert status.server == kam.hostport
    assert status.text == f"Registered as alice@example.test (via {kam.hostport})"
    # RFC 3263 order: NAPTR, then SRV per transport the account may use, then addresses.
    queries = dns.queries()
    assert queries[:3] == [
        ("NAPTR", "example.test"),
        ("SRV", "_sip._udp.example.test"),
        ("A", "sip1.example.test"),
    ]
    assert ("A", "sip2.example.test") in queries and ("SRV", "_sip._tcp.example.test") in queries
    registers = alice.requests_sent("REGISTER")
    dead = Address("127.0.0.1", dead_port)
    to_dead = [e for e in registers if e.remote == dead]
    assert to_dead and all(e.remote in (dead, Address(*kam.address)) for e in registers)
    # A new transaction on the second server: its first REGISTER has a new branch.
    branches = {e.text.split("branch=", 1)[1].split("\r\n", 1)[0] for e in registers}
    assert len(branches) >= 3  # dead one, then unauthenticated and authenticated on Kamailio

    # A message goes to the server that answered, not to the dead one first.
    sent_before = len(alice.sent)
    record = await alice.send("sip:alice@example.test", "via the backup")
    assert record.state is DeliveryState.DELIVERED, record
    assert all(e.remote != dead for e in alice.sent[sent_before:])
    print(f"\nSRV failover: registered on the second target after {took:.2f} s; DNS {queries}")


async def test_naptr_choosing_tcp_registers_over_tcp(
    kam: KamailioProcess, tmp_path: Path, dns_factory: list[Dnsmasq], phones: list[Phone]
) -> None:
    dns = start_dns(
        dns_factory,
        tmp_path,
        [
            "--naptr-record=example.test,10,10,S,SIP+D2T,,_sip._tcp.example.test",
            "--naptr-record=example.test,20,10,S,SIP+D2U,,_sip._udp.example.test",
            f"--srv-host=_sip._tcp.example.test,sip.example.test,{kam.port},10,0",
            f"--srv-host=_sip._udp.example.test,sip.example.test,{kam.port},10,0",
            "--host-record=sip.example.test,127.0.0.1",
        ],
    )
    alice = await phone(phones, dns, Account(ALICE))
    status = await alice.settled()
    assert status.state is S.REGISTERED, status
    assert status.text == f"Registered as alice@example.test (via {kam.hostport}, TCP)"
    registers = alice.requests_sent("REGISTER")
    assert registers and {e.transport for e in registers} == {TransportKind.TCP}
    assert "transport=tcp" in registers[-1].text.split("Contact:", 1)[1].split("\r\n", 1)[0]
    queries = dns.queries()
    # NAPTR puts TCP first; UDP's servers follow as the failover list, and the
    # address of sip.example.test comes from the cache the second time.
    assert queries == [
        ("NAPTR", "example.test"),
        ("SRV", "_sip._tcp.example.test"),
        ("A", "sip.example.test"),
        ("SRV", "_sip._udp.example.test"),
    ]
    targets = await alice.app.locate_servers()
    assert [t.kind for t in targets] == [TransportKind.TCP, TransportKind.UDP]
    print(f"\nNAPTR lookup sequence: {queries}")


async def test_domain_with_only_an_a_record(
    kam: KamailioProcess, tmp_path: Path, dns_factory: list[Dnsmasq], phones: list[Phone]
) -> None:
    dns = start_dns(dns_factory, tmp_path, ["--host-record=example.test,127.0.0.1"])
    # Found automatically: no NAPTR, no SRV, so the A record on port 5060.
    alice = await phone(phones, dns, Account(ALICE), register=False)
    targets = await alice.app.locate_servers()
    assert [(t.address, t.kind) for t in targets] == [
        (Address("127.0.0.1", 5060), TransportKind.UDP)
    ]
    queries = dns.queries()
    assert queries[:3] == [
        ("NAPTR", "example.test"),
        ("SRV", "_sip._udp.example.test"),
        ("SRV", "_sip._tcp.example.test"),
    ]
    assert ("A", "example.test") in queries
    await alice.app.stop()
    phones.remove(alice)

    # Kamailio is not on 5060 here: name the port, and only the A record is asked.
    dns.mark()
    account = Account("sip:bob@example.test", registrar=f"example.test:{kam.port}")
    bob = await phone(phones, dns, account)
    status = await bob.settled()
    assert status.state is S.REGISTERED, status
    assert status.text == f"Registered as bob@example.test (via {kam.hostport})"
    assert {q[0] for q in dns.queries()} <= {"A", "AAAA"}


async def test_domain_with_nothing_says_so(
    kam: KamailioProcess, tmp_path: Path, dns_factory: list[Dnsmasq], phones: list[Phone]
) -> None:
    dns = start_dns(dns_factory, tmp_path, [])
    alice = await phone(phones, dns, Account(ALICE))
    status = await alice.settled()
    assert status.state is S.FAILED
    assert status.text.startswith(
        "No SIP server found for example.test: the domain has no SIP records, trying again in"
    )
    assert alice.requests_sent("REGISTER") == []
    # A message written meanwhile waits in the outbox rather than failing.
    record = alice.app.messaging.send("sip:bob@example.test", "later")
    assert record.state is DeliveryState.QUEUED


# -- keep-alive and flow recovery ---------------------------------------------------


@pytest.fixture
def two_kamailios(tmp_path: Path) -> Iterator[tuple[KamailioProcess, KamailioProcess]]:
    primary = start_kamailio(tmp_path / "primary", USERS)
    try:
        backup = start_kamailio(tmp_path / "backup", USERS)
    except Exception:
        primary.stop()
        raise
    try:
        yield primary, backup
    finally:
        for kam in (primary, backup):
            # A stopped Kamailio must run again to hear SIGTERM.
            if kam.running():
                os.killpg(kam.process.pid, signal.SIGCONT)
            kam.stop()


@pytest.mark.parametrize("how", ["hang", "exit"])
async def test_dead_registrar_is_noticed_and_the_backup_takes_over(
    how: str,
    two_kamailios: tuple[KamailioProcess, KamailioProcess],
    tmp_path: Path,
    dns_factory: list[Dnsmasq],
    phones: list[Phone],
) -> None:
    primary, backup = two_kamailios
    dns = start_dns(
        dns_factory,
        tmp_path,
        [
            f"--srv-host=_sip._tcp.example.test,sip1.example.test,{primary.port},10,0",
            f"--srv-host=_sip._tcp.example.test,sip2.example.test,{backup.port},20,0",
            "--host-record=sip1.example.test,127.0.0.1",
            "--host-record=sip2.example.test,127.0.0.1",
        ],
    )
    interval, pong_timeout = 1.0, 1.0
    alice = await phone(
        phones,
        dns,
        Account(ALICE, transport=TransportKind.TCP),
        keepalive_interval=interval,
        keepalive_timeout=pong_timeout,
    )
    status = await alice.settled()
    assert status.state is S.REGISTERED and status.server == primary.hostport, status
    keepalive = alice.app.keepalive
    assert keepalive is not None
    await alice.wait(lambda: keepalive.pongs >= 1, timeout=5.0)  # Kamailio answers pings

    started = time.monotonic()
    if how == "hang":
        os.killpg(primary.process.pid, signal.SIGSTOP)
    else:
        primary.stop()
    # Noticed within one interval and the pong timeout, then one REGISTER
    # transaction (with its challenge) on the backup; the bound is generous.
    await alice.wait(
        lambda: alice.registered() and alice.status.server == backup.hostport,
        timeout=interval + pong_timeout + 8.0,
    )
    took = time.monotonic() - started
    lost = [s for s in alice.statuses if s.text.startswith("Connection to ") and " lost" in s.text]
    assert len(lost) == 1 and lost[0].server == primary.hostport
    reason = "no answer to a keep-alive" if how == "hang" else "connection closed by peer"
    assert reason in lost[0].text
    assert alice.status.text == f"Registered as alice@example.test (via {backup.hostport}, TCP)"
    # The keep-alive now watches the backup's flow.
    assert keepalive.target is not None and keepalive.target.address.port == backup.port
    record = await alice.send("sip:alice@example.test", "still here")
    assert record.state is DeliveryState.DELIVERED, record
    print(f"\nflow recovery ({how}): registered on the backup {took:.2f} s after the failure")
