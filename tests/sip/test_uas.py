"""The UAS decisions as bytes in, bytes out: no socket, no event loop.

The RFC 4475 corpus runs here through `Uas.check` and `answer_unparseable`
with the expectations of `tests/transport/test_rfc4475_uas.py` (which sends
the same files as datagrams to a running agent), so the two cannot drift.
"""

from __future__ import annotations

import pytest

from softphone.sip import ParseError, Request, Response, parse
from softphone.sip.uas import Answer, Uas, answer_unparseable, response_destination, stamp_via
from tests.transport.test_rfc4475_uas import CORPUS, EXPECTED, Expected, header_items

SOURCE = ("198.51.100.7", 40000)


def messaging_uas() -> Uas:
    """The UAS of the messaging client: MESSAGE (text/plain) and OPTIONS."""
    uas = Uas()
    uas.add_route("MESSAGE", accept=["text/plain"])
    return uas


def answer_bytes(data: bytes, uas: Uas) -> bytes | None:
    """What the UAS sends for *data*, with a MESSAGE service answering 200."""
    try:
        message = parse(data)
    except ParseError as exc:
        found = answer_unparseable(exc, data, SOURCE, reliable=False)
        return None if found is None else found[0]
    if isinstance(message, Response) or message.method == "ACK":
        return None
    try:
        answer = uas.check(message)
    except ParseError as exc:
        answer = Answer(exc.status, exc.reason)
    if answer is None:
        answer = Answer(200)  # the service
    response = Response.for_request(message, answer.status, answer.reason, to_tag="t1")
    for name, value in answer.headers:
        response.headers.add(name, value)
    stamp_via(response, SOURCE)
    return bytes(response)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_answered_as_rfc4475_says(name: str) -> None:
    expected: Expected = EXPECTED[name]
    answer = answer_bytes((CORPUS / name).read_bytes(), messaging_uas())
    if expected.status is None:
        assert answer is None
        return
    assert answer is not None
    status_line = answer.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith(f"SIP/2.0 {expected.status} "), status_line
    assert expected.reason in status_line
    for header, items in expected.headers:
        assert items <= header_items(answer, header), (header, answer)


def request(**changes: str) -> Request:
    lines = {
        "start": "MESSAGE sip:bob@example.test SIP/2.0",
        "Via": "SIP/2.0/UDP client.example.test:5070;branch=z9hG4bKuas1",
        "From": "<sip:alice@example.test>;tag=a1",
        "To": "<sip:bob@example.test>",
        "Call-ID": "uas-1",
        "CSeq": "1 MESSAGE",
        "Max-Forwards": "70",
        "Content-Type": "text/plain",
    }
    lines.update(changes)
    start = lines.pop("start")
    text = "".join(f"{k}: {v}\r\n" for k, v in lines.items() if v)
    message = parse(f"{start}\r\n{text}Content-Length: 2\r\n\r\nhi".encode())
    assert isinstance(message, Request)
    return message


def test_checks_run_in_rfc3261_8_2_order() -> None:
    uas = messaging_uas()
    # 8.2.1 before 8.2.2.1: an unknown method with an unknown scheme is 405.
    refused = uas.check(request(start="PUBLISH http://x SIP/2.0", CSeq="1 PUBLISH"))
    assert refused == Answer(405, headers=(("Allow", "ACK, CANCEL, MESSAGE, OPTIONS"),))
    assert uas.check(request(start="MESSAGE http://x SIP/2.0")) == Answer(416)
    assert uas.check(request(Require="100rel, foo")) == Answer(
        420, headers=(("Unsupported", "100rel, foo"),)
    )
    assert uas.check(request(**{"Content-Type": "text/html"})) == Answer(
        415, headers=(("Accept", "text/plain"),)
    )
    assert uas.check(request(To="<sip:bob@example.test>;tag=old")) == Answer(481)
    assert uas.check(request()) is None  # the service answers
    options = uas.check(request(start="OPTIONS sip:bob@example.test SIP/2.0", CSeq="1 OPTIONS"))
    assert options is not None and options.status == 200
    # An INVITE refusal needs its transaction (timer G); the others do not.
    invite = uas.check(request(start="INVITE sip:bob@example.test SIP/2.0", CSeq="1 INVITE"))
    assert invite is not None and (invite.status, invite.stateless) == (405, False)
    assert refused.stateless


def test_supported_option_tags_pass_require() -> None:
    uas = Uas(supported=["foo"])
    uas.add_route("MESSAGE")
    assert uas.check(request(Require="foo")) is None


def test_via_is_stamped_with_received_and_rport() -> None:
    message = request(Via="SIP/2.0/UDP client.example.test:5070;rport;branch=z9hG4bKuas1")
    response = Response.for_request(message, 200, to_tag="t")
    stamp_via(response, SOURCE)
    assert response.headers.get("Via") == (
        "SIP/2.0/UDP client.example.test:5070;received=198.51.100.7;rport=40000;branch=z9hG4bKuas1"
    )
    assert response_destination(message.via[0], SOURCE, reliable=False) == SOURCE


def test_without_rport_the_answer_goes_to_the_sent_by_port() -> None:
    message = request()
    assert response_destination(message.via[0], SOURCE, reliable=False) == ("198.51.100.7", 5070)
    assert response_destination(message.via[0], SOURCE, reliable=True) == SOURCE
    # The same sent-by host as the source: no received (RFC 3261 18.2.1).
    response = Response.for_request(
        request(Via="SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKuas1"), 200, to_tag="t"
    )
    stamp_via(response, SOURCE)
    assert response.headers.get("Via") == "SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKuas1"
    # With rport, received is always added (RFC 3581 4).
    response = Response.for_request(
        request(Via="SIP/2.0/UDP 198.51.100.7:5070;rport;branch=z9hG4bKuas1"), 200, to_tag="t"
    )
    stamp_via(response, SOURCE)
    assert response.headers.get("Via") == (
        "SIP/2.0/UDP 198.51.100.7:5070;received=198.51.100.7;rport=40000;branch=z9hG4bKuas1"
    )


def test_only_the_top_via_of_a_line_is_stamped() -> None:
    message = request(
        Via='SIP/2.0/UDP a.example.test;branch=z9hG4bKtop;x="q,;", SIP/2.0/TCP b.example.test'
    )
    response = Response.for_request(message, 200, to_tag="t")
    stamp_via(response, SOURCE)
    assert response.headers.get("Via") == (
        'SIP/2.0/UDP a.example.test;received=198.51.100.7;branch=z9hG4bKtop;x="q,;"'
        ", SIP/2.0/TCP b.example.test"
    )


@pytest.mark.parametrize(
    "via",
    [
        "SIP/2.0/UDP client.example.test:5070;rport;branch=z9hG4bKuas1",
        "SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKuas1",
        "SIP/2.0/UDP 198.51.100.7:5070;received=192.0.2.1;rport=9;branch=z9hG4bKuas1",
        'SIP/2.0/UDP a.example.test;branch=z9hG4bKtop;x="q,;", SIP/2.0/TCP b.example.test',
    ],
)
def test_stamping_from_the_requests_parsed_via_is_the_same(via: str) -> None:
    # The agent hands stamp_via the Via the request's parse built.
    message = parse(bytes(request(Via=via)))
    assert isinstance(message, Request)
    read_again = Response.for_request(message, 200, to_tag="t")
    stamp_via(read_again, SOURCE)
    given = Response.for_request(message, 200, to_tag="t")
    stamp_via(given, SOURCE, top=message.via[0])
    assert bytes(given) == bytes(read_again)


def test_unparseable_request_is_answered_to_its_via() -> None:
    data = (
        b"MESSAGE sip:bob@example.test SIP/7.0\r\n"
        b"Via: SIP/7.0/UDP client.example.test:5070;branch=z9hG4bKv7\r\n"
        b"From: <sip:a@example.test>;tag=1\r\nTo: <sip:bob@example.test>\r\n"
        b"Call-ID: v7\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n"
    )
    with pytest.raises(ParseError) as caught:
        parse(data)
    found = answer_unparseable(caught.value, data, SOURCE, reliable=False)
    assert found is not None
    answer, destination = found
    assert answer.startswith(b"SIP/2.0 505 ")
    assert destination == ("198.51.100.7", 5070)
    assert b"Via: SIP/2.0/UDP client.example.test:5070;received=198.51.100.7;branch=" in answer


@pytest.mark.parametrize(
    "data",
    [
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKr\r\n\r\n",  # a response
        b"ACK sip:b@h SIP/3.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n\r\n",  # an ACK
        b"MESSAGE sip:b@h SIP/3.0\r\nFrom: <sip:a@h>\r\n\r\n",  # nowhere to answer
        b"MESSAGE sip:b@h SIP/3.0\r\nVia: garbage\r\n\r\n",
        b"",
    ],
)
def test_unanswerable_bytes_get_nothing(data: bytes) -> None:
    assert answer_unparseable(ParseError("bad", 400), data, SOURCE, reliable=False) is None
