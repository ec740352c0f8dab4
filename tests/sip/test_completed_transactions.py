"""Finished server transactions kept as bytes, and the cheap transaction key."""

from __future__ import annotations

import pytest

from softphone.sip import ParseError, Request, parse
from softphone.sip.transaction import (
    AnsweredClientTransactions,
    CompletedTransactions,
    raw_transaction_key,
    transaction_key,
)
from tests.transport.test_rfc4475_uas import CORPUS, EXPECTED


def message(**changes: str) -> bytes:
    lines = {
        "start": "MESSAGE sip:bob@example.test SIP/2.0",
        "Via": "SIP/2.0/UDP client.example.test:5070;branch=z9hG4bKkey1;rport",
        "From": "<sip:alice@example.test>;tag=a1",
        "To": "<sip:bob@example.test>",
        "Call-ID": "key-1",
        "CSeq": "7 MESSAGE",
        "Max-Forwards": "70",
    }
    lines.update(changes)
    start = lines.pop("start")
    text = "".join(f"{k}: {v}\r\n" for k, v in lines.items() if v)
    return f"{start}\r\n{text}Content-Length: 2\r\n\r\nhi".encode()


def test_raw_key_is_the_parsed_key() -> None:
    data = message()
    parsed = parse(data)
    assert isinstance(parsed, Request)
    assert raw_transaction_key(data) == transaction_key(parsed)
    assert raw_transaction_key(data) == ("z9hG4bKkey1", "client.example.test:5070", "MESSAGE")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        # Compact Via, extra spaces, a second Via value on the same line.
        (
            {"Via": "", "v": "SIP/2.0/UDP  h.example.test ;branch=z9hG4bKc, SIP/2.0/UDP o"},
            ("z9hG4bKc", "h.example.test", "MESSAGE"),
        ),
        # ACK is matched to its INVITE (RFC 3261 17.2.3).
        (
            {"start": "ACK sip:bob@example.test SIP/2.0", "CSeq": "7 ACK"},
            ("z9hG4bKkey1", "client.example.test:5070", "INVITE"),
        ),
    ],
)
def test_raw_key_reads_the_top_via_and_the_cseq_method(
    changes: dict[str, str], key: tuple[str, ...]
) -> None:
    assert raw_transaction_key(message(**changes)) == key


@pytest.mark.parametrize(
    "data",
    [
        message(Via="SIP/2.0/UDP h;branch=1234"),  # RFC 2543: needs the full key
        message(Via="SIP/2.0/UDP h;branch=z9hG4bK"),  # the bare cookie (RFC 4475 badbranch)
        message(CSeq=""),
        message(CSeq="1"),
        message(Via=""),
        message(Via="SIP/2.0/UDP h\r\n ;branch=z9hG4bKfolded"),
        message(**{"Via": "SIP/2.0/UDP h;branch=z9hG4bKx", "CSeq": "1 MESSAGE\r\nCSeq: 2 MESSAGE"}),
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKr\r\nCSeq: 1 MESSAGE\r\n\r\n",
        b"",
        b"\xff\xfe garbage",
    ],
)
def test_raw_key_declines_what_it_cannot_be_sure_of(data: bytes) -> None:
    assert raw_transaction_key(data) is None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_raw_key_never_disagrees_with_the_parser_on_rfc4475(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    raw = raw_transaction_key(data)
    if raw is None:
        return
    try:
        parsed = parse(data)
    except ParseError:
        return  # refused by the parser: never stored, so never matched
    assert isinstance(parsed, Request)
    assert raw == transaction_key(parsed)


def test_completed_keeps_bytes_until_timer_j() -> None:
    held: CompletedTransactions[str, str] = CompletedTransactions()
    held.add("k", b"SIP/2.0 200 OK\r\n\r\n", "there", expires=32.0)
    assert held.get("k", 10.0) == (b"SIP/2.0 200 OK\r\n\r\n", "there")
    assert held.deadline == 32.0
    assert held.bytes_held == 18 + CompletedTransactions.OVERHEAD
    assert held.get("k", 32.0) is None  # J fired: the same request is new now
    assert (len(held), held.bytes_held, held.deadline) == (0, 0, None)


def test_expire_forgets_in_order() -> None:
    held: CompletedTransactions[int, None] = CompletedTransactions()
    for n in range(5):
        held.add(n, b"x" * 10, None, expires=float(n))
    held.expire(2.0)
    assert [held.get(n, 0.0) is not None for n in range(5)] == [False] * 3 + [True] * 2
    assert held.bytes_held == 2 * (10 + CompletedTransactions.OVERHEAD)


def test_caps_drop_the_oldest_first() -> None:
    held: CompletedTransactions[int, None] = CompletedTransactions(max_bytes=10_000, max_count=3)
    for n in range(5):
        held.add(n, b"x" * 100, None, expires=100.0)
    assert [n for n in range(5) if held.get(n, 0.0)] == [2, 3, 4]
    assert held.evicted == 2
    big: CompletedTransactions[int, None] = CompletedTransactions(max_bytes=2_000, max_count=99)
    for n in range(10):
        big.add(n, b"x" * 700, None, expires=100.0)
    assert big.bytes_held <= 2_000
    assert [n for n in range(10) if big.get(n, 0.0)] == [8, 9]
    # Adding a key again replaces it without counting it twice.
    big.add(9, b"y" * 10, None, expires=100.0)
    assert big.bytes_held == 700 + 10 + 2 * CompletedTransactions.OVERHEAD


def test_caps_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CompletedTransactions(max_bytes=0)
    with pytest.raises(ValueError):
        CompletedTransactions(max_count=0)


def test_may_hold_follows_every_way_an_entry_leaves() -> None:
    held: CompletedTransactions[tuple[str, int], None] = CompletedTransactions(
        max_count=3, part=lambda key: key[0]
    )
    held.add(("a", 1), b"x", None, expires=1.0)
    held.add(("a", 2), b"x", None, expires=2.0)
    held.add(("b", 1), b"x", None, expires=3.0)
    assert held.may_hold("a") and held.may_hold("b") and not held.may_hold("c")
    held.add(("c", 1), b"x", None, expires=4.0)  # over the cap: ("a", 1) goes
    assert held.may_hold("a") and held.may_hold("c")
    held.discard(("a", 2))
    assert not held.may_hold("a")
    assert held.get(("b", 1), 3.0) is None  # timer J fired
    assert not held.may_hold("b")
    held.add(("c", 2), b"x", None, expires=5.0)
    held.expire(4.0)
    assert held.may_hold("c")
    held.expire(5.0)
    assert not held.may_hold("c") and len(held) == 0


def test_answered_client_transactions_keep_keys_until_timer_k() -> None:
    table: AnsweredClientTransactions[tuple[str, str]] = AnsweredClientTransactions()
    first, second = ("z9hG4bK1", "SUBSCRIBE"), ("z9hG4bK2", "SUBSCRIBE")
    table.add(first, expires=5.0)
    table.add(second, expires=6.0)
    assert (len(table), table.deadline) == (2, 5.0)
    assert table.absorbs(first, 4.9)
    assert not table.absorbs(("z9hG4bK3", "SUBSCRIBE"), 4.9)
    assert not table.absorbs(first, 5.0)  # timer K fired: forgotten
    assert (len(table), table.deadline) == (1, 6.0)
    table.expire(5.9)
    assert len(table) == 1
    table.expire(6.0)
    assert (len(table), table.deadline) == (0, None)
