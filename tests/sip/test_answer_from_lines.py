"""A response built from the request's own header lines equals the typed one.

`answer_from_lines` answers every stored MESSAGE; it must give the bytes
`Response.for_request` and `stamp_via` give, for every request the parser
accepts (RFC 4475's torture set included).
"""

from __future__ import annotations

import pytest

from softphone.sip import ParseError, Request, Response, parse
from softphone.sip.uas import answer_from_lines, stamp_via
from tests.transport.test_rfc4475_uas import CORPUS, EXPECTED

SOURCE = ("192.0.2.7", 40123)


def message(via: str = "SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bK-1;rport", **extra: str) -> bytes:
    body = "안녕하세요! 밥".encode()
    lines = [
        "MESSAGE sip:bob@example.test SIP/2.0",
        f"Via: {via}",
        'From: "앨리스" <sip:alice@example.test>;tag=a1',
        "To: <sip:bob@example.test>",
        "Call-ID: raw-1@127.0.0.1",
        "CSeq: 7 MESSAGE",
        "Max-Forwards: 70",
        *(f"{name}: {value}" for name, value in extra.items()),
        "Content-Type: text/plain;charset=utf-8",
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def typed(request: Request, status: int, to_tag: str) -> bytes:
    response = Response.for_request(request, status, None, to_tag=to_tag)
    stamp_via(response, SOURCE, top=request.via[0])
    return bytes(response)


def lines(request: Request, status: int, to_tag: str) -> bytes:
    tag = None if request.to.tag is not None else to_tag
    reason = Response.for_request(request, status).reason
    return answer_from_lines(
        request.headers, status, reason, to_tag=tag, top=request.via[0], source=SOURCE
    )


CASES = {
    "plain": message(),
    "no rport, other host": message("SIP/2.0/UDP client.example.test:5070;branch=z9hG4bK-2"),
    "received already there": message(
        "SIP/2.0/UDP 10.0.0.1;received=10.9.9.9;branch=z9hG4bK-3;rport=1"
    ),
    "two values in one line, quoted comma": message(
        'SIP/2.0/UDP h.example.test;branch=z9hG4bK-4;x="a,b", SIP/2.0/TCP p.example.test'
    ),
    "several Via lines, compact names": message(**{"v": "SIP/2.0/UDP proxy;branch=z9hG4bKp"}),
    "IPv6 sent-by": message("SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK-6;rport"),
    "To with a tag": message().replace(b"To: <sip:bob@example.test>", b"t: <sip:b@x>;tag=have"),
    "empty lines before the start line": b"\r\n\r\n" + message(),
    "odd spacing": message().replace(b"CSeq: 7", b"CSeq  :   7").replace(b"From:", b"From :"),
    "folded lines": message()
    .replace(b"From: ", b"From:\r\n  ")
    .replace(b";tag=a1", b"\r\n\t;tag=a1"),
    "names in other cases": message().replace(b"Via:", b"VIA:").replace(b"Call-ID:", b"call-id:"),
    "undecodable bytes kept": message().replace("앨리스".encode(), b"\xff\xfe"),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("status", [200, 603])
def test_same_bytes_as_the_typed_response(name: str, status: int) -> None:
    data = CASES[name]
    request = parse(data)
    assert isinstance(request, Request)
    assert lines(request, status, "t1") == typed(request, status, "t1")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_same_bytes_on_rfc4475(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    try:
        request = parse(data)
    except ParseError:
        return  # never answered this way: refused before any service
    if not isinstance(request, Request):
        return
    assert lines(request, 200, "t9") == typed(request, 200, "t9")
