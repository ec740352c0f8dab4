"""RFC 3263 lookups against a real dnsmasq: which records are asked for, in what order."""

from __future__ import annotations

import random
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.resolver import ResolutionError, Resolver
from softphone.transport.base import Address, Target, TransportKind
from tests.helpers import FakeClock
from tests.resolver.dnsmasq import Dnsmasq

UDP, TCP, TLS = TransportKind.UDP, TransportKind.TCP, TransportKind.TLS
TTL = 60

RECORDS = [
    # Two priorities: 10 is tried before 20 whatever the weights.
    "--srv-host=_sip._udp.prio.test,b.prio.test,5071,20,100",
    "--srv-host=_sip._udp.prio.test,a.prio.test,5070,10,1",
    "--host-record=a.prio.test,127.0.0.11",
    "--host-record=b.prio.test,127.0.0.12",
    # One priority, weights 3:1.
    "--srv-host=_sip._udp.weight.test,heavy.weight.test,5060,10,3",
    "--srv-host=_sip._udp.weight.test,light.weight.test,5060,10,1",
    "--host-record=heavy.weight.test,127.0.0.21",
    "--host-record=light.weight.test,127.0.0.22",
    # NAPTR: TCP listed first (lower order), UDP second, TLS third.
    "--naptr-record=naptr.test,20,10,S,SIP+D2U,,_sip._udp.naptr.test",
    "--naptr-record=naptr.test,10,10,S,SIP+D2T,,_sip._tcp.naptr.test",
    "--naptr-record=naptr.test,30,10,S,SIPS+D2T,,_sips._tcp.naptr.test",
    "--srv-host=_sip._tcp.naptr.test,tcp.naptr.test,5062,10,0",
    "--srv-host=_sip._udp.naptr.test,udp.naptr.test,5061,10,0",
    "--srv-host=_sips._tcp.naptr.test,tls.naptr.test,5063,10,0",
    # SRV for UDP exists too, but only NAPTR's choice is asked for.
    "--host-record=tcp.naptr.test,127.0.0.32",
    "--host-record=udp.naptr.test,127.0.0.31",
    "--host-record=tls.naptr.test,127.0.0.33",
    # Only an A record.
    "--host-record=aonly.test,127.0.0.41",
    # IPv6: one server with only AAAA, one with both.
    "--srv-host=_sip._tcp.six.test,v6.six.test,5066,10,0",
    "--srv-host=_sip._tcp.six.test,dual.six.test,5067,20,0",
    "--host-record=v6.six.test,::1",
    "--host-record=dual.six.test,127.0.0.51,::1",
    # An SRV record that an explicit port must ignore.
    "--srv-host=_sip._udp.port.test,elsewhere.port.test,7777,10,0",
    "--host-record=elsewhere.port.test,127.0.0.62",
    "--host-record=port.test,127.0.0.61",
    # SRV saying "no service here" (target "."), and SRV to a name without address.
    "--srv-host=_sip._udp.declined.test",
    "--srv-host=_sip._udp.noaddr.test,ghost.noaddr.test,5060,10,0",
    # Caching.
    "--srv-host=_sip._udp.ttl.test,srv.ttl.test,5080,10,0",
    "--host-record=srv.ttl.test,127.0.0.71",
]


@pytest.fixture(scope="module")
def dnsmasq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dnsmasq]:
    server = Dnsmasq(Path(tmp_path_factory.mktemp("dnsmasq")), RECORDS, ttl=TTL)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dns(dnsmasq: Dnsmasq) -> Dnsmasq:
    dnsmasq.mark()
    return dnsmasq


def resolver(server: Dnsmasq, **options: object) -> Resolver:
    return Resolver(nameserver=server.nameserver, rng=random.Random(0), **options)  # type: ignore[arg-type]


def sorted_pairs(queries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A and AAAA of one name are asked together; their order is not fixed."""
    return sorted(queries)


async def test_srv_priorities_give_the_order(dns: Dnsmasq) -> None:
    targets = await resolver(dns).resolve("prio.test", [UDP])
    assert targets == [
        Target(Address("127.0.0.11", 5070), UDP, "prio.test"),
        Target(Address("127.0.0.12", 5071), UDP, "prio.test"),
    ]
    queries = dns.queries()
    # RFC 3263 4: NAPTR first, then SRV, then the addresses of each SRV target.
    assert queries[:2] == [("NAPTR", "prio.test"), ("SRV", "_sip._udp.prio.test")]
    assert sorted_pairs(queries[2:4]) == [("A", "a.prio.test"), ("AAAA", "a.prio.test")]
    assert sorted_pairs(queries[4:]) == [("A", "b.prio.test"), ("AAAA", "b.prio.test")]


async def test_equal_priorities_spread_by_weight(dns: Dnsmasq) -> None:
    server = Resolver(nameserver=dns.nameserver, rng=random.Random(42))
    firsts: Counter[str] = Counter()
    for _ in range(400):
        targets = await server.resolve("weight.test", [UDP])
        assert {t.address.host for t in targets} == {"127.0.0.21", "127.0.0.22"}
        firsts[targets[0].address.host] += 1
    # 3:1 means about 300 of 400 first for the heavy one (sd about 9).
    assert 250 <= firsts["127.0.0.21"] <= 350
    # The records came from the cache after the first round.
    assert dns.queries().count(("SRV", "_sip._udp.weight.test")) == 1


async def test_naptr_picks_tcp_when_listed_first(dns: Dnsmasq) -> None:
    targets = await resolver(dns).resolve("naptr.test", [UDP, TCP])
    # The domain's order beats the account's preference for UDP (RFC 3263 4.1).
    assert targets == [
        Target(Address("127.0.0.32", 5062), TCP, "naptr.test"),
        Target(Address("127.0.0.31", 5061), UDP, "naptr.test"),
    ]
    queries = dns.queries()
    assert queries[:2] == [("NAPTR", "naptr.test"), ("SRV", "_sip._tcp.naptr.test")]
    assert ("SRV", "_sips._tcp.naptr.test") not in queries  # TLS is not allowed here


async def test_naptr_services_the_account_cannot_use_are_skipped(dns: Dnsmasq) -> None:
    targets = await resolver(dns).resolve("naptr.test", [TLS])
    assert targets == [Target(Address("127.0.0.33", 5063), TLS, "naptr.test")]
    queries = dns.queries()
    assert queries[:2] == [("NAPTR", "naptr.test"), ("SRV", "_sips._tcp.naptr.test")]
    assert ("SRV", "_sip._tcp.naptr.test") not in queries


@pytest.mark.parametrize("kind", [UDP, TCP])
async def test_a_record_only_uses_the_default_port_and_account_transport(
    dns: Dnsmasq, kind: TransportKind
) -> None:
    targets = await resolver(dns).resolve("aonly.test", [kind])
    assert targets == [Target(Address("127.0.0.41", 5060), kind, "aonly.test")]
    queries = dns.queries()
    assert queries[:2] == [("NAPTR", "aonly.test"), ("SRV", f"_sip._{kind.value}.aonly.test")]
    assert sorted_pairs(queries[2:]) == [("A", "aonly.test"), ("AAAA", "aonly.test")]


async def test_without_naptr_srv_is_asked_for_each_allowed_transport(dns: Dnsmasq) -> None:
    await resolver(dns).resolve("aonly.test", [UDP, TCP])
    assert dns.queries()[:3] == [
        ("NAPTR", "aonly.test"),
        ("SRV", "_sip._udp.aonly.test"),
        ("SRV", "_sip._tcp.aonly.test"),
    ]


async def test_a_domain_with_nothing_gives_a_clear_error(dns: Dnsmasq) -> None:
    with pytest.raises(ResolutionError) as info:
        await resolver(dns).resolve("nothing.test", [UDP])
    assert str(info.value) == "No SIP server found for nothing.test: the domain has no SIP records"
    assert info.value.host == "nothing.test"
    assert not info.value.temporary


async def test_srv_target_without_address_is_named(dns: Dnsmasq) -> None:
    with pytest.raises(ResolutionError, match=r"noaddr\.test: its SIP servers \(ghost\.noaddr"):
        await resolver(dns).resolve("noaddr.test", [UDP])


async def test_srv_dot_target_means_no_service(dns: Dnsmasq) -> None:
    with pytest.raises(ResolutionError, match="offers no SIP service"):
        await resolver(dns).resolve("declined.test", [UDP])
    # RFC 2782: "." is final; the domain's A record is not tried instead.
    assert ("A", "declined.test") not in dns.queries()


async def test_aaaa_targets(dns: Dnsmasq) -> None:
    targets = await resolver(dns).resolve("six.test", [TCP])
    assert targets == [
        Target(Address("::1", 5066), TCP, "six.test"),
        Target(Address("127.0.0.51", 5067), TCP, "six.test"),
        Target(Address("::1", 5067), TCP, "six.test"),  # IPv4 before IPv6 for one host
    ]


async def test_aaaa_can_be_left_out(dns: Dnsmasq) -> None:
    targets = await resolver(dns, ipv6=False).resolve("six.test", [TCP])
    assert targets == [Target(Address("127.0.0.51", 5067), TCP, "six.test")]
    assert ("AAAA", "dual.six.test") not in dns.queries()


async def test_explicit_port_skips_naptr_and_srv(dns: Dnsmasq) -> None:
    targets = await resolver(dns).resolve("port.test", [TCP], port=5099)
    assert targets == [Target(Address("127.0.0.61", 5099), TCP, "port.test")]
    assert sorted_pairs(dns.queries()) == [("A", "port.test"), ("AAAA", "port.test")]


async def test_explicit_port_on_a_name_without_address(dns: Dnsmasq) -> None:
    with pytest.raises(ResolutionError, match=r"nothing\.test: the name has no address"):
        await resolver(dns).resolve("nothing.test", [UDP], port=5060)


async def test_numeric_host_asks_nothing(dns: Dnsmasq) -> None:
    targets = await resolver(dns).resolve("127.0.0.5", [UDP, TCP], port=5090)
    assert targets == [Target(Address("127.0.0.5", 5090), UDP)]
    assert dns.queries() == []


async def test_answers_are_cached_for_their_ttl(dns: Dnsmasq) -> None:
    clock = FakeClock()
    server = resolver(dns, clock=lambda: clock.now)
    expected = [Target(Address("127.0.0.71", 5080), UDP, "ttl.test")]
    assert await server.resolve("ttl.test", [UDP]) == expected
    first = dns.queries()
    assert first[:2] == [("NAPTR", "ttl.test"), ("SRV", "_sip._udp.ttl.test")]
    assert len(first) == 4

    clock.advance(TTL / 4)
    dns.mark()
    assert await server.resolve("ttl.test", [UDP]) == expected
    assert dns.queries() == []  # everything from the cache

    # Empty answers (no NAPTR, no AAAA) are kept at most 30 s (the negative
    # caching cap), the SRV and A records their full 60 s TTL.
    clock.advance(TTL / 4 + 1)
    dns.mark()
    assert await server.resolve("ttl.test", [UDP]) == expected
    assert dns.queries() == [("NAPTR", "ttl.test"), ("AAAA", "srv.ttl.test")]

    clock.advance(TTL / 2)
    dns.mark()
    assert await server.resolve("ttl.test", [UDP]) == expected
    assert sorted_pairs(dns.queries()) == sorted_pairs(first)

    server.clear_cache()
    dns.mark()
    await server.resolve("ttl.test", [UDP])
    assert len(dns.queries()) == 4


async def test_a_refusing_server_gives_a_temporary_error(dns: Dnsmasq) -> None:
    # dnsmasq refuses names outside .test: it has no upstream server.
    with pytest.raises(ResolutionError) as info:
        await resolver(dns).resolve("provider.example", [UDP])
    assert str(info.value) == (
        f"Cannot look up provider.example: the DNS server at {dns.nameserver}"
        " refused or failed the lookup"
    )
    assert info.value.temporary


async def test_a_silent_server_times_out_once() -> None:
    # A bound socket that never answers: the lookup times out.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        server = Resolver(nameserver=f"127.0.0.1:{port}", timeout=0.3)
        with pytest.raises(ResolutionError) as info:
            await server.resolve("provider.example", [UDP, TCP])
        assert str(info.value) == (
            f"Cannot look up provider.example: the DNS server at 127.0.0.1:{port} did not answer"
        )
        assert info.value.temporary
        # Resolution stopped at the first timeout instead of asking for SRV,
        # A and AAAA in turn (one datagram: the NAPTR query).
        silent.setblocking(False)
        received = []
        while True:
            try:
                received.append(silent.recv(512))
            except BlockingIOError:
                break
        assert len(received) == 1
