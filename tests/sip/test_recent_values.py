"""Values read lately are shared, and parsing gives the same whether seen before or not.

``parse()`` remembers the records it made of a peer's Request-Line, Via
sent-by, addresses, Content-Type and Event, and the shapes of its digest
challenges and credentials (softphone.sip.recent). Every
message here is parsed twice: once with those tables empty (cold) and once
after the tables were filled by the messages it was made from (warm). The
outcome (every field and view, or the error) must be the same.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from bench.parse_corpus import REALISTIC, VIEWS, fresh_traffic
from softphone.sip import ParseError, Request, parse, recent
from softphone.sip import auth as auth_module
from softphone.sip import uri as uri_module

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "rfc4475"
# What a mutation writes into a value: the characters that change which
# path reads it (quotes, brackets, separators, LWS, escapes) and plain ones.
ALPHABET = ';=<>",: \t@\\%[]?&x7'
# The header lines whose values the tables remember, and the start line.
REMEMBERED = (
    "Via:",
    "From:",
    "To:",
    "Contact:",
    "Content-Type:",
    "Event:",
    "Authorization:",
    "WWW-Authenticate:",
)


def outcome(data: bytes) -> object:
    """Everything parse() and the views say about `data`, errors included."""
    try:
        message = parse(data)
    except ParseError as exc:
        return ("error", exc.reason, exc.status)
    seen: list[object] = [type(message).__name__, message.body, list(message.headers)]
    if isinstance(message, Request):
        seen += [message.method, message.uri]
    else:
        seen += [message.status, message.reason]
    for view in VIEWS:
        try:
            seen.append((view, getattr(message, view)))
        except ParseError as exc:
            seen.append((view, "error", exc.reason))
    return seen


def cold(data: bytes) -> object:
    recent.forget()
    return outcome(data)


def mutations(data: bytes, count: int, rng: random.Random) -> list[bytes]:
    """`count` copies of `data`, each with one character changed, added or
    removed in its start line or a remembered header's value."""
    head, sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    targets = [0] + [i for i, line in enumerate(lines) if line.startswith(REMEMBERED)]
    out = []
    for _ in range(count):
        changed = list(lines)
        i = rng.choice(targets)
        line = changed[i]
        at = rng.randrange(line.find(":") + 2 if i else 0, len(line) + 1)
        how = rng.randrange(3)
        char = rng.choice(ALPHABET)
        if how == 0:
            line = line[:at] + char + line[at:]
        elif how == 1:
            line = line[:at] + char + line[at + 1 :]
        else:
            line = line[:at] + line[at + 1 :]
        changed[i] = line
        out.append("\r\n".join(changed).encode() + sep + body)
    return out


def rfc4475() -> list[bytes]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(CORPUS / row["file"]).read_bytes() for row in rows]


def test_a_message_parses_the_same_after_its_values_were_remembered() -> None:
    rng = random.Random(3428)
    bases = REALISTIC + fresh_traffic(2, seed=5)
    cases = [(base, mutated) for base in bases for mutated in mutations(base, 150, rng)]
    cases += [(data, data) for data in rfc4475()]
    differing = []
    for number, (base, data) in enumerate(cases):
        expected = cold(data)
        recent.forget()
        for primer in (bases[number % len(bases)], base):
            outcome(primer)  # fills the tables with the unchanged values
        if outcome(data) != expected:
            differing.append(data)
    assert differing == []
    # The mutations reached both sides: some parse, some are refused.
    outcomes = [cold(data) for _, data in cases]
    assert any(o[0] == "error" for o in outcomes)
    assert sum(o[0] != "error" for o in outcomes) > len(cases) // 4


def test_the_same_peer_s_values_are_shared_between_messages() -> None:
    recent.forget()
    first, second = fresh_traffic(2, seed=7)[0::6]
    one, two = parse(first), parse(second)
    assert one.from_ != two.from_  # a new tag in each
    assert one.from_.uri is two.from_.uri
    assert one.to.uri is two.to.uri
    assert one.uri is two.uri
    assert one.content_type is two.content_type
    assert (one.via[0].host, one.via[0].port) == (two.via[0].host, two.via[0].port)
    assert one.via[0].params != two.via[0].params


def from_header(value: str) -> bytes:
    return (
        "MESSAGE sip:bob@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n"
        f"From: {value}\r\nTo: <sip:bob@example.com>\r\n"
        "Call-ID: c1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def test_a_display_name_holding_a_closing_bracket_is_not_taken_for_an_address() -> None:
    recent.forget()
    for text, user in (
        ('"a>b" <sip:x@example.com>;tag=1', "x"),
        ('"a>b" <sip:y@example.com>', "y"),
    ):
        message = parse(from_header(text))
        assert message.from_.display_name == "a>b"
        assert message.from_.uri.user == user
    # The text up to the first ">" is no address of its own.
    for text in ('"a>', '"a>;tag=2'):
        with pytest.raises(ParseError, match="Bad From header"):
            parse(from_header(text))


@pytest.mark.parametrize(
    ("table", "limit"),
    [(uri_module._ADDRESSES, uri_module._ADDRESSES_MAX)],
)
def test_a_peer_sending_endless_new_addresses_cannot_grow_the_table(
    table: dict[str, object], limit: int
) -> None:
    recent.forget()
    for number in range(limit * 3 + 7):
        assert (
            parse(from_header(f"<sip:u{number}@example.com>;tag=1")).from_.uri.user == f"u{number}"
        )
        assert len(table) <= limit


CHALLENGE = 'Digest realm="example.com", nonce="{}", opaque="", stale=FALSE, qop="auth"'


@pytest.mark.parametrize(
    "nonce",
    [
        "abc",
        "",
        "a, b=c",  # separators inside the quotes
        'a\\"b',  # an escaped quote: read by the escaping path
        "a\\b",
        "a\r\n b",  # a fold inside the quotes
        "a\tb",
        "한국어",
        'a" x="b',  # an extra quoted value: another shape
    ],
)
def test_a_challenge_of_a_known_shape_reads_as_if_never_seen(nonce: str) -> None:
    # The shape (the text outside the quotes) is remembered from a first
    # challenge; a second with other quoted text must read the same as cold.
    text = CHALLENGE.format(nonce)

    def read() -> object:
        try:
            return auth_module.parse_challenges(text)
        except ParseError as exc:
            return ("error", exc.reason)

    recent.forget()
    expected = read()
    auth_module.parse_challenges(CHALLENGE.format("seen before"))
    assert read() == expected


@pytest.mark.parametrize(
    ("table", "limit"),
    [(auth_module._SHAPES, auth_module._SHAPES_MAX)],
)
def test_endless_new_challenge_shapes_cannot_grow_the_table(
    table: dict[str, object], limit: int
) -> None:
    recent.forget()
    for number in range(limit * 3 + 7):
        (challenge,) = auth_module.parse_challenges(f'Digest realm="r", p{number}="v"')
        assert challenge.param(f"p{number}") == "v"
        assert len(table) <= limit


@pytest.mark.parametrize("tag", ["8952588306", "태그", "a-b.c", "a;x=1", "", "a b", "a\tb", "A%41"])
def test_a_tag_after_a_known_address_reads_as_if_never_seen(tag: str) -> None:
    data = from_header(f'"Alice" <sip:alice@example.com>;tag={tag}')
    expected = cold(data)
    recent.forget()
    outcome(from_header('"Alice" <sip:alice@example.com>;tag=1'))  # the address is known
    assert outcome(data) == expected
