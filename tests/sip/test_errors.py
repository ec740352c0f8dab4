"""The error family: blame split and the answer carried by ParseError."""

from __future__ import annotations

import pytest

from softphone.sip import LocalProtocolError, ParseError, SipError, parse


def test_hierarchy() -> None:
    assert issubclass(ParseError, SipError)
    assert issubclass(LocalProtocolError, SipError)
    assert not issubclass(ParseError, LocalProtocolError)


def test_parse_error_fields_and_single_line_reason() -> None:
    error = ParseError("bad\r\nthing\there", 413)
    assert error.status == 413
    assert error.reason == "bad thing here"
    assert error.partial is None
    assert str(error) == "bad thing here"
    assert ParseError("x").status == 400


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        (b"", 400, "No empty line after the header fields"),
        (b"garbage", 400, "No empty line after the header fields"),
        (b"x" * 70000, 413, "Message too large"),
        (b"SIP/3.0 200 OK\r\n\r\n", 505, "SIP version not supported"),
        (b"OPTIONS sip:a@b HTTP/1.1\r\n\r\n", 400, "Malformed SIP version"),
        (b"SIP/2.0 099 Low\r\n\r\n", 400, "Status code out of range"),
        (b"SIP/2.0 700 High\r\n\r\n", 400, "Status code out of range"),
    ],
)
def test_parse_errors_carry_status_and_reason(data: bytes, status: int, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(data)
    assert (info.value.status, info.value.reason) == (status, reason)


def test_too_many_headers_is_413() -> None:
    data = b"OPTIONS sip:a@b.c SIP/2.0\r\n" + b"X-A: 1\r\n" * 300 + b"\r\n"
    with pytest.raises(ParseError) as info:
        parse(data)
    assert (info.value.status, info.value.reason) == (413, "Too many header fields")
