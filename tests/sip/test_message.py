"""Requests and responses: construction, views, bytes(), parse(), for_request."""

from __future__ import annotations

import pytest

from softphone.sip import (
    Headers,
    LocalProtocolError,
    NameAddr,
    ParseError,
    Request,
    Response,
    SipUri,
    new_branch,
    new_call_id,
    new_tag,
    parse,
)

KOREAN = "안녕하세요! 밥".encode()


def make_message() -> Request:
    return Request(
        "MESSAGE",
        SipUri(user="bob", host="example.com"),
        Headers(
            [
                ("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport"),
                ("Max-Forwards", "70"),
                ("From", '"Alice" <sip:alice@example.com>;tag=a1'),
                ("To", "<sip:bob@example.com>"),
                ("Call-ID", "c1@192.0.2.1"),
                ("CSeq", "1 MESSAGE"),
                ("Content-Type", "text/plain;charset=UTF-8"),
                ("Timestamp", "54"),
            ]
        ),
        KOREAN,
    )


def test_serialize_and_parse_back() -> None:
    request = make_message()
    data = bytes(request)
    assert data.startswith(b"MESSAGE sip:bob@example.com SIP/2.0\r\nVia: ")
    assert f"\r\nContent-Length: {len(KOREAN)}\r\n\r\n".encode() + KOREAN in data
    again = parse(data)
    assert again == request
    assert isinstance(again, Request)
    assert again.body.decode() == "안녕하세요! 밥"
    assert again.content_type is not None and again.content_type.charset == "UTF-8"
    assert again.from_.display_name == "Alice" and again.from_.tag == "a1"
    assert again.to.tag is None
    assert again.call_id == "c1@192.0.2.1"
    assert (again.cseq.seq, again.cseq.method) == (1, "MESSAGE")
    assert again.via[0].branch == "z9hG4bKabc" and again.via[0].rport is True
    assert again.max_forwards == 70


def test_wrong_content_length_is_rewritten() -> None:
    request = make_message()
    request.headers.add("Content-Length", "9999")
    data = bytes(request)
    assert data.count(b"Content-Length") == 1
    assert parse(data).body == KOREAN


def test_response_for_request() -> None:
    request = make_message()
    ok = Response.for_request(request, 200, to_tag="b2")
    assert (ok.status, ok.reason) == (200, "OK")
    assert [name for name, _ in ok.headers] == ["Via", "From", "To", "Call-ID", "CSeq"]
    assert ok.to.tag == "b2"
    assert ok.headers.get("Via") == request.headers.get("Via")
    assert parse(bytes(ok)) == ok
    trying = Response.for_request(request, 100)
    assert trying.reason == "Trying" and trying.headers.get("Timestamp") == "54"
    assert Response.for_request(request, 202).reason == "Accepted"
    assert Response.for_request(request, 599).reason == "Unknown"
    assert Response.for_request(request, 486, "Busy now").reason == "Busy now"
    tagged = Response.for_request(parse(bytes(ok)), 200, to_tag="other")  # type: ignore[arg-type]
    assert tagged.to.tag == "b2"
    # A parsed request's To view says it has a tag: the header is copied as is.
    assert tagged.headers.get("To") == ok.headers.get("To")
    with pytest.raises(LocalProtocolError):
        Response.for_request(request, 200, to_tag="bad tag")


def test_constructors_refuse_bad_values() -> None:
    with pytest.raises(LocalProtocolError):
        Response(200, "OK\r\nVia: x", Headers())
    with pytest.raises(LocalProtocolError):
        Response(99, "Low", Headers())
    with pytest.raises(LocalProtocolError):
        Request("BAD METHOD", SipUri(host="a.b"), Headers())
    with pytest.raises(LocalProtocolError):
        Request("OPTIONS", "not a uri", Headers())  # type: ignore[arg-type]
    with pytest.raises(LocalProtocolError):
        Request("OPTIONS", SipUri(host="a.b"), Headers(), "text")  # type: ignore[arg-type]
    request = Request("OPTIONS", "sip:a.b", [("To", "<sip:a.b>")])  # type: ignore[arg-type]
    assert request.uri == SipUri(host="a.b") and request.headers.get("t") == "<sip:a.b>"


def test_views_are_cached_and_follow_changes() -> None:
    request = make_message()
    assert request.from_ is request.from_
    request.headers.set("From", "<sip:carol@example.com>;tag=c")
    assert request.from_ == NameAddr(
        SipUri(user="carol", host="example.com"), None, (("tag", "c"),)
    )


def test_views_of_a_parsed_message_follow_every_change_of_its_headers() -> None:
    # parse() builds the views at once; each way of changing the headers
    # after that is seen by the next read.
    request = parse(bytes(make_message()))
    assert request.via[0].branch == "z9hG4bKabc" and request.max_forwards == 70
    headers = request.headers
    headers.replace_first("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKdef;received=1.2.3.4")
    assert request.via[0].branch == "z9hG4bKdef" and request.via[0].received == "1.2.3.4"
    headers.insert_first("Via", "SIP/2.0/TCP 192.0.2.9;branch=z9hG4bKtop")
    assert [via.branch for via in request.via] == ["z9hG4bKtop", "z9hG4bKdef"]
    headers.set("Max-Forwards", "69")
    headers.add("Expires", "60")
    assert (request.max_forwards, request.expires) == (69, 60)
    headers.remove("Max-Forwards")
    assert request.max_forwards is None
    request.headers = Headers([("To", "<sip:carol@example.com>;tag=9"), ("Event", "reg")])
    assert request.to.tag == "9" and request.event is not None and request.via == []
    assert request.expires is None and request.allow == []
    with pytest.raises(ParseError, match="Missing From header"):
        request.from_  # noqa: B018
    # A copy's changes leave the message alone; the old headers too, once
    # the message has others.
    again = parse(bytes(make_message()))
    copy = again.headers.copy()
    copy.set("Call-ID", "other@192.0.2.1")
    assert again.call_id == "c1@192.0.2.1"
    old = again.headers
    again.headers = copy
    old.set("Call-ID", "old@192.0.2.1")
    assert again.call_id == "other@192.0.2.1"


def test_a_partial_request_reads_its_views_from_its_raw_headers() -> None:
    with pytest.raises(ParseError) as info:
        parse(BASE + b"Max-Forwards: 256\r\n\r\n")
    partial = info.value.partial
    assert isinstance(partial, Request) and partial.call_id == "x@y"
    assert partial.expires is None
    with pytest.raises(ParseError, match="Max-Forwards is not a number"):
        partial.max_forwards  # noqa: B018


def test_optional_views() -> None:
    request = make_message()
    assert request.expires is None and request.event is None and request.retry_after is None
    assert request.allow == [] and request.contact == []
    headers = request.headers
    headers.add("Expires", "3600")
    headers.add("Min-Expires", "60")
    headers.add("Event", "reg;id=1")
    headers.add("Subscription-State", "active;expires=100")
    headers.add("Allow", "INVITE, MESSAGE")
    headers.add("Allow", "SUBSCRIBE")
    headers.add("k", "path, gruu")
    headers.add("Require", "100rel")
    headers.add("Retry-After", "30")
    headers.add("m", "<sip:a@192.0.2.1>;expires=30, *")
    assert (request.expires, request.min_expires) == (3600, 60)
    assert request.event is not None and request.event.id == "1"
    assert request.subscription_state is not None and request.subscription_state.expires == 100
    assert request.allow == ["INVITE", "MESSAGE", "SUBSCRIBE"]
    assert request.supported == ["path", "gruu"] and request.require == ["100rel"]
    assert request.retry_after is not None and request.retry_after.seconds == 30
    with pytest.raises(ParseError):
        request.contact  # noqa: B018  ("*" mixed with an address)


BASE = (
    b"OPTIONS sip:bob@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\n"
    b"From: <sip:a@example.com>;tag=1\r\n"
    b"To: <sip:bob@example.com>\r\n"
    b"Call-ID: x@y\r\n"
    b"CSeq: 1 OPTIONS\r\n"
)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (b"Max-Forwards: 256\r\n", "Max-Forwards is not a number from 0 to 255"),
        (b"Expires: soon\r\n", "Expires is not a number of seconds"),
        (b"Content-Type: text\r\n", "Malformed Content-Type header"),
        (b"Call-ID: again@y\r\n", "Multiple Call-ID headers"),
        (b"Content-Length: x\r\n", "Content-Length is not a number"),
        (b"Bad Name: x\r\n", "Header name is not a token"),
        (b"NoColon\r\n", "Header line without a colon"),
        (b"X: a\rb\r\n", "Bare CR or LF in the header section"),
    ],
)
def test_invalid_headers_with_partial(extra: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(BASE + extra + b"\r\n")
    assert (info.value.status, info.value.reason) == (400, reason)
    partial = info.value.partial
    if extra in (b"Bad Name: x\r\n", b"NoColon\r\n", b"X: a\rb\r\n"):
        # The header lines could not be split: nothing to answer from.
        assert partial is None
    else:
        assert isinstance(partial, Request)
        assert partial.headers.get("Call-ID") == "x@y"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        # Every header that appears once, repeated: the first in the order
        # From, To, Call-ID, CSeq, Max-Forwards, Content-Type, Expires, Date
        # is the one named, whichever lines come first.
        (b"Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n" * 2 + b"To: <sip:c@d>\r\n", "To"),
        (b"Expires: 1\r\nExpires: 2\r\nCSeq: 2 OPTIONS\r\n", "CSeq"),
        (b"Content-Type: a/b\r\nc: a/c\r\nMax-Forwards: 1\r\n" * 2, "Max-Forwards"),
        (b"Date: Sat, 13 Nov 2010 23:29:00 GMT\r\nc: a/b\r\nc: a/b\r\n", "Content-Type"),
        (b"Expires: 1\r\nExpires: 2\r\n", "Expires"),
        (b"Date: x\r\nDate: y\r\n", "Date"),
    ],
)
def test_the_first_repeated_single_header_is_named(extra: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(BASE + extra + b"\r\n")
    assert info.value.reason == f"Multiple {reason} headers"
    assert isinstance(info.value.partial, Request)


@pytest.mark.parametrize(
    ("lines", "subject"),
    [
        # A continuation line with no colon of its own.
        (b"Subject: a\r\n b\r\n", "a b"),
        (b"Subject: a\r\n\t\tb\r\n", "a b"),
        # A line without a colon that the next line's fold completes.
        (b"Subject\r\n : a\r\n", "a"),
        # A continuation line that holds a colon (its name starts with LWS).
        (b"Subject: a\r\n b: c\r\n", "a b: c"),
    ],
)
def test_folded_lines_are_unfolded_first(lines: bytes, subject: str) -> None:
    # RFC 3261 7.3.1: CRLF followed by whitespace is LWS, whatever the lines
    # around it would be on their own.
    message = parse(BASE + lines + b"\r\n")
    assert message.headers.get("Subject") == subject
    assert message.cseq.method == "OPTIONS"


def test_a_fold_right_after_the_start_line_is_not_a_header() -> None:
    # The start line is read as it came; the text folded onto it is not a header.
    start, rest = BASE.split(b"\r\n", 1)
    message = parse(start + b"\r\n X: y\r\n" + rest + b"\r\n")
    assert isinstance(message, Request)
    assert [name for name, _ in message.headers] == ["Via", "From", "To", "Call-ID", "CSeq"]


def test_header_lines_are_counted_after_unfolding() -> None:
    # 255 folded pairs are 255 header lines (the limit is 256), not 510.
    folds = b"X-A: 1\r\n 2\r\n" * 250
    message = parse(BASE + folds + b"\r\n")
    assert message.headers.get_all("X-A")[0] == "1 2"
    with pytest.raises(ParseError) as info:
        parse(BASE + b"X-A: 1\r\n" * 252 + b"\r\n")
    assert info.value.status == 413


def test_datagram_without_content_length_takes_rest() -> None:
    message = parse(b"\r\n\r\n" + BASE + b"\r\nhello")
    assert message.body == b"hello"
    assert parse(bytes(message)) == message
    assert parse(BASE + b"l: 2\r\n\r\nhello").body == b"he"


def test_identifiers() -> None:
    branches = {new_branch() for _ in range(50)}
    assert len(branches) == 50 and all(b.startswith("z9hG4bK") for b in branches)
    assert new_tag() != new_tag()
    call_id = new_call_id("example.com")
    assert call_id.endswith("@example.com") and len(call_id) > 20
    with pytest.raises(LocalProtocolError):
        new_call_id("bad host")


def test_auth_views_use_the_auth_module() -> None:
    response = parse(
        b"SIP/2.0 401 Unauthorized\r\n"
        b"Via: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\n"
        b"From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>;tag=2\r\n"
        b"Call-ID: x@y\r\nCSeq: 1 REGISTER\r\n"
        b'WWW-Authenticate: Digest realm="example.com", nonce="abc", algorithm=SHA-256\r\n'
        b'WWW-Authenticate: Digest realm="example.com", nonce="def"\r\n'
        b"Content-Length: 0\r\n\r\n"
    )
    challenges = response.www_authenticate
    assert len(challenges) == 2
    assert response.proxy_authenticate == []
    request = make_message()
    assert request.authorization is None
    request.headers.add(
        "Authorization",
        'Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com", '
        'response="0123"',
    )
    assert request.authorization is not None
    assert request.proxy_authorization is None
