"""The parts of server location that need no DNS: SRV order, parsing, failover logic."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softphone.resolver import (
    Resolver,
    SrvRecord,
    order_srv,
    transports_for,
)
from softphone.transport.base import Address, Target, TransportKind, parse_nameserver


def srv(priority: int, weight: int, target: str, port: int = 5060) -> SrvRecord:
    return SrvRecord(priority, weight, port, target)


def test_lower_priority_always_first() -> None:
    records = [srv(20, 100, "backup"), srv(10, 0, "main"), srv(30, 5, "last")]
    for seed in range(50):
        ordered = order_srv(records, random.Random(seed))
        assert [r.target for r in ordered] == ["main", "backup", "last"]


def test_weights_spread_picks_within_one_priority() -> None:
    records = [srv(10, 1, "light"), srv(10, 3, "heavy")]
    rng = random.Random(1234)
    firsts = Counter(order_srv(records, rng)[0].target for _ in range(400))
    # Expected 300 of 400 (sd about 9): a band of more than 5 sd either side.
    assert 250 <= firsts["heavy"] <= 350
    assert firsts["light"] == 400 - firsts["heavy"]


def test_weights_do_not_depend_on_the_order_the_server_lists_them() -> None:
    for records in (
        [srv(10, 1, "light"), srv(10, 3, "heavy")],
        [srv(10, 3, "heavy"), srv(10, 1, "light")],
    ):
        rng = random.Random(99)
        firsts = Counter(order_srv(records, rng)[0].target for _ in range(4000))
        # 3000 expected, sd about 27.
        assert 2850 <= firsts["heavy"] <= 3150, records


def test_weight_zero_is_rarely_first_next_to_weighted_records() -> None:
    records = [srv(10, 0, "zero"), srv(10, 50, "fifty")]
    rng = random.Random(7)
    firsts = Counter(order_srv(records, rng)[0].target for _ in range(400))
    # RFC 2782: weight 0 has a very small chance (1 in 51 here).
    assert firsts["zero"] < 30


def test_all_weights_zero_keeps_every_record() -> None:
    records = [srv(10, 0, "a"), srv(10, 0, "b")]
    assert sorted(r.target for r in order_srv(records, random.Random(0))) == ["a", "b"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 10), st.text("abc", min_size=1, max_size=3)),
        max_size=8,
    ),
    st.integers(0, 2**32),
)
def test_order_is_a_permutation_sorted_by_priority(
    items: list[tuple[int, int, str]], seed: int
) -> None:
    records = [srv(p, w, t) for p, w, t in items]
    ordered = order_srv(records, random.Random(seed))
    assert Counter(ordered) == Counter(records)
    assert [r.priority for r in ordered] == sorted(r.priority for r in records)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        (" 10.0.0.1:53 ", ("10.0.0.1", 53)),
    ],
)
def test_parse_nameserver(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["dns.example", "127.0.0.1:0", "127.0.0.1:x", "[::1]x", ""])
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_nameserver(text)


def test_resolver_rejects_a_named_nameserver() -> None:
    with pytest.raises(ValueError, match="IP address"):
        Resolver(nameserver="dns.example:53")


def test_transports_for() -> None:
    assert transports_for(TransportKind.UDP) == (TransportKind.UDP, TransportKind.TCP)
    assert transports_for(TransportKind.TCP) == (TransportKind.TCP,)
    assert transports_for(TransportKind.TLS) == (TransportKind.TLS,)


async def test_numeric_host_needs_no_dns() -> None:
    # An unusable server: any lookup would fail, so none must happen.
    resolver = Resolver(nameserver="127.0.0.1:9", timeout=0.1)
    assert await resolver.resolve("192.0.2.7", [TransportKind.TCP]) == [
        Target(Address("192.0.2.7", 5060), TransportKind.TCP)
    ]
    assert await resolver.resolve("[2001:db8::1]", [TransportKind.TLS], port=5071) == [
        Target(Address("2001:db8::1", 5071), TransportKind.TLS)
    ]


async def test_localhost_is_the_loopback_without_dns() -> None:
    resolver = Resolver(nameserver="127.0.0.1:9", timeout=0.1)
    targets = await resolver.resolve("localhost", [TransportKind.UDP], port=5070)
    assert [t.address for t in targets] == [Address("127.0.0.1", 5070), Address("::1", 5070)]


async def test_resolve_needs_a_transport() -> None:
    with pytest.raises(ValueError):
        await Resolver(nameserver="127.0.0.1:9").resolve("example.test", [])


def test_missing_dnsmasq_skips_locally_but_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.resolver.dnsmasq as helper

    monkeypatch.setattr(helper, "DNSMASQ", None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="dnsmasq is not installed"):
        helper.require_dnsmasq()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="dnsmasq is not installed"):
        helper.require_dnsmasq()
