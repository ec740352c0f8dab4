"""Property tests: generated messages round-trip; any bytes raise only ParseError."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softphone.sip import (
    Headers,
    NameAddr,
    ParseError,
    Request,
    Response,
    SipUri,
    StreamFramer,
    parse,
)

CORPUS = sorted((Path(__file__).resolve().parent.parent / "corpus" / "rfc4475").glob("*.dat"))
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=12)
# Any text but CR, LF, NUL and lone surrogates: what a person could type.
free_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=30
)
labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
hosts = st.one_of(
    st.lists(labels, min_size=1, max_size=3).map(".".join),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
)
params = st.lists(st.tuples(tokens, st.one_of(st.none(), free_text.filter(bool))), max_size=3).map(
    tuple
)
sip_uris = st.builds(
    SipUri,
    scheme=st.sampled_from(["sip", "sips"]),
    user=st.one_of(st.none(), free_text.filter(bool)),
    password=st.none(),
    host=hosts,
    port=st.one_of(st.none(), st.integers(0, 65535)),
    params=params,
)
name_addrs = st.builds(
    NameAddr,
    uri=sip_uris,
    display_name=st.one_of(st.none(), free_text),
    params=st.lists(st.tuples(tokens, st.one_of(st.none(), tokens)), max_size=2).map(tuple),
)
# Unknown header values: commas inside quotes and <>, stripped like the parser does.
extra_values = st.one_of(
    free_text,
    st.tuples(free_text, free_text).map(lambda t: f'"{t[0]}, x" <sip:{t[1]!s:.0}a@b>, y'),
).map(lambda v: v.strip(" \t").replace('\\"', "").replace('"', "'"))


@st.composite
def requests(draw: st.DrawFn) -> Request:
    method = draw(st.one_of(st.sampled_from(["MESSAGE", "REGISTER", "SUBSCRIBE"]), tokens))
    from_ = draw(name_addrs).with_tag(draw(tokens))
    headers = Headers(
        [
            ("Via", f"SIP/2.0/UDP {draw(hosts)};branch=z9hG4bK{draw(tokens)}"),
            ("From", str(from_)),
            ("To", str(draw(name_addrs))),
            ("Call-ID", f"{draw(tokens)}@{draw(hosts)}"),
            ("CSeq", f"{draw(st.integers(0, 2**31 - 1))} {method}"),
        ]
    )
    for i, value in enumerate(draw(st.lists(extra_values, max_size=4))):
        headers.add(f"X-Gen-{i}", value)
    return Request(method, draw(sip_uris), headers, draw(st.binary(max_size=200)))


@SETTINGS
@given(requests())
def test_generated_requests_round_trip(request: Request) -> None:
    data = bytes(request)
    parsed = parse(data)
    assert parsed == request
    assert isinstance(parsed, Request)
    assert parsed.from_ == NameAddr.parse(request.headers.get("From") or "")
    assert parsed.uri == request.uri
    assert bytes(parsed) == data


@SETTINGS
@given(requests(), st.integers(100, 699), free_text)
def test_generated_responses_round_trip(request: Request, status: int, reason: str) -> None:
    response = Response.for_request(request, status, reason)
    assert parse(bytes(response)) == response


@SETTINGS
@given(name_addrs)
def test_name_addr_round_trip(addr: NameAddr) -> None:
    assert NameAddr.parse(str(addr)) == addr


@SETTINGS
@given(
    st.sampled_from(CORPUS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255), st.booleans()), max_size=8),
)
def test_mutated_corpus_raises_only_parse_error(
    path: Path, edits: list[tuple[int, int, bool]]
) -> None:
    data = bytearray(path.read_bytes())
    for pos, byte, insert in edits:
        pos %= len(data) + 1
        if insert:
            data.insert(pos, byte)
        elif pos < len(data):
            data[pos] = byte
    try:
        message = parse(bytes(data))
    except ParseError as exc:
        assert "\r" not in exc.reason and "\n" not in exc.reason
        assert 400 <= exc.status <= 599
    else:
        assert parse(bytes(message)) == message


@SETTINGS
@given(st.binary(max_size=500))
def test_random_bytes_raise_only_parse_error(data: bytes) -> None:
    for candidate in (data, b"OPTIONS sip:a@b SIP/2.0\r\n" + data, b"SIP/2.0 200 OK\r\n" + data):
        with contextlib.suppress(ParseError):
            parse(candidate)
    with contextlib.suppress(ParseError):
        StreamFramer(max_size=300).feed(data)
