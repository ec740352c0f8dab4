"""RFC 3862 CPIM: the RFC's own examples, real clients' variants, and what we send."""

from __future__ import annotations

import pytest

from softphone.sip.cpim import (
    CPIM_NAMESPACE,
    IMDN_NAMESPACE,
    build_cpim,
    cpim_address,
    parse_cpim,
    parse_datetime,
)
from softphone.sip.errors import LocalProtocolError, ParseError

# RFC 3862 section 6 (the example as it sits in a MESSAGE body, CRLF ends).
RFC3862_EXAMPLE = (
    b"From: MR SANDERS <im:piglet@100akerwood.com>\r\n"
    b"To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
    b"DateTime: 2000-12-13T13:40:00-08:00\r\n"
    b"Subject: the weather will be fine today\r\n"
    b"Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n"
    b"NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
    b"Require: MyFeatures.VitalMessageOption\r\n"
    b"MyFeatures.VitalMessageOption: Confirmation-requested\r\n"
    b"MyFeatures.WackyMessageOption: Use-silly-font\r\n"
    b"\r\n"
    b"Content-type: text/xml; charset=utf-8\r\n"
    b"Content-ID: <1234567890@foo.com>\r\n"
    b"\r\n"
    b"<body>\r\n"
    b"Here is the text of my message.\r\n"
    b"</body>\r\n"
)

# RFC 5438 section 9.1.1 (the IMDN request example), as Blink sends it.
RFC5438_REQUEST = (
    b"From: Alice <im:alice@example.com>\r\n"
    b"To: Bob <im:bob@example.com>\r\n"
    b"NS: imdn <urn:ietf:params:imdn>\r\n"
    b"imdn.Message-ID: 34jk324j\r\n"
    b"DateTime: 2006-04-04T12:16:49-05:00\r\n"
    b"imdn.Disposition-Notification: positive-delivery, negative-delivery\r\n"
    b"\r\n"
    b"Content-type: text/plain\r\n"
    b"Content-length: 12\r\n"
    b"\r\n"
    b"Hello World"
)


def test_rfc3862_example() -> None:
    message = parse_cpim(RFC3862_EXAMPLE)
    assert message.from_ == "MR SANDERS <im:piglet@100akerwood.com>"
    assert message.to == "Depressed Donkey <im:eeyore@100akerwood.com>"
    assert message.date_time == parse_datetime("2000-12-13T21:40:00Z")
    subjects = [(h.value, h.params) for h in message.headers if h.local_name == "Subject"]
    assert subjects == [
        ("the weather will be fine today", ()),
        ("beau temps prevu pour aujourd'hui", ("lang=fr",)),
    ]
    wacky = [h for h in message.headers if h.local_name == "WackyMessageOption"]
    assert [(h.name, h.namespace, h.value) for h in wacky] == [
        ("MyFeatures.WackyMessageOption", "mid:MessageFeatures@id.foo.com", "Use-silly-font")
    ]
    assert message.header("require") == "MyFeatures.VitalMessageOption"
    assert message.content_type == "text/xml; charset=utf-8"
    assert message.content_header("content-id") == "<1234567890@foo.com>"
    assert message.body == b"<body>\r\nHere is the text of my message.\r\n</body>\r\n"
    assert message.message_id is None and message.disposition_notification == frozenset()


def test_rfc5438_request_example() -> None:
    message = parse_cpim(RFC5438_REQUEST)
    assert message.message_id == "34jk324j"
    assert message.disposition_notification == {"positive-delivery", "negative-delivery"}
    assert message.content_type == "text/plain"
    assert message.body == b"Hello World"


def test_liberal_bare_lf_odd_case_no_ns_and_content_headers_in_the_first_block() -> None:
    # Seen from clients: LF line ends, lower-case names, the imdn prefix
    # used without its NS header, Content-Type among the message headers.
    message = parse_cpim(
        b"from: <sip:a@x>\nto: <sip:b@x>\nIMDN.message-id: abc\n"
        b"imdn.disposition-notification: Display\ncontent-type: text/plain\n\nhi\n"
    )
    assert (message.from_, message.to, message.message_id) == ("<sip:a@x>", "<sip:b@x>", "abc")
    assert message.disposition_notification == {"display"}
    assert (message.content_type, message.body) == ("text/plain", b"hi\n")


def test_a_declared_prefix_other_than_imdn() -> None:
    message = parse_cpim(
        b"NS: rcpt <urn:ietf:params:imdn>\r\nrcpt.Message-ID: m1\r\n\r\n"
        b"Content-Type: text/plain\r\n\r\nx"
    )
    assert message.message_id == "m1"
    assert message.header("Message-ID", CPIM_NAMESPACE) is None


def test_content_without_headers_is_plain_text() -> None:
    message = parse_cpim(b"From: <sip:a@x>\r\n\r\nNote: meet at five")
    assert (message.content_type, message.body) == ("text/plain", b"Note: meet at five")


def test_folded_header_and_headers_only() -> None:
    message = parse_cpim(b"Subject: one\r\n two\r\n\r\nContent-Type: text/plain\r\n")
    assert (message.header("Subject"), message.body) == ("one two", b"")


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n", b"this line has no colon\r\n\r\nbody", b"bad name: x\r\n\r\nbody"],
)
def test_malformed_is_400(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_cpim(data)
    assert info.value.status == 400


def test_too_many_headers() -> None:
    with pytest.raises(ParseError, match="too many"):
        parse_cpim(b"".join(b"X-%d: y\r\n" % i for i in range(101)) + b"\r\nbody")


def test_datetime_needs_an_offset() -> None:
    assert parse_datetime("2006-04-04T12:16:49") is None
    assert parse_datetime("yesterday") is None
    assert parse_datetime("2006-04-04t17:16:49z") == parse_datetime("2006-04-04T12:16:49-05:00")


def test_built_exactly_as_rfc3862_with_crlf() -> None:
    data = build_cpim(
        from_='"Alice" <sip:alice@example.com>',
        to="<sip:bob@example.com>",
        date_time=1_700_000_000.0,
        content_type="text/plain;charset=UTF-8",
        body="안녕".encode(),
        message_id="Xy12",
        disposition_notification=("positive-delivery", "display"),
    )
    assert data == (
        b'From: "Alice" <sip:alice@example.com>\r\n'
        b"To: <sip:bob@example.com>\r\n"
        b"DateTime: 2023-11-14T22:13:20Z\r\n"
        b"NS: imdn <urn:ietf:params:imdn>\r\n"
        b"imdn.Message-ID: Xy12\r\n"
        b"imdn.Disposition-Notification: positive-delivery, display\r\n"
        b"\r\n"
        b"Content-Type: text/plain;charset=UTF-8\r\n"
        b"\r\n" + "안녕".encode()
    )
    # What we send, we read back.
    again = parse_cpim(data)
    assert (again.message_id, again.header("Message-ID", IMDN_NAMESPACE)) == ("Xy12", "Xy12")
    assert again.date_time == 1_700_000_000.0
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_build_refuses_header_injection() -> None:
    with pytest.raises(LocalProtocolError):
        build_cpim(
            from_="<sip:a@x>\r\nimdn.Message-ID: forged",
            to="<sip:b@x>",
            date_time=0.0,
            content_type="text/plain",
            body=b"",
        )


def test_cpim_address_forms() -> None:
    assert cpim_address("sip:a@x") == "<sip:a@x>"
    assert cpim_address("sip:a@x", "MR SANDERS") == "MR SANDERS <sip:a@x>"
    assert cpim_address("sip:a@x", 'Bob "B" 밥') == '"Bob \\"B\\" 밥" <sip:a@x>'
    parsed = parse_cpim(f"From: {cpim_address('sip:a@x', 'Bob 밥')}\r\n\r\nx".encode())
    assert parsed.from_ == '"Bob 밥" <sip:a@x>'
