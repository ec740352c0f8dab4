"""SIP, SIPS, tel and other URIs; name-addr with display names."""

from __future__ import annotations

import pytest

from softphone.sip import (
    AbsoluteUri,
    LocalProtocolError,
    NameAddr,
    ParseError,
    SipUri,
    TelUri,
    parse_uri,
)


def test_full_sip_uri() -> None:
    uri = SipUri.parse("sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&x=1")
    assert uri == SipUri(
        "sips",
        "alice",
        "secret",
        "[2001:db8::1]",
        5061,
        (("transport", "tcp"), ("lr", None)),
        (("subject", "hi"), ("x", "1")),
    )
    assert uri.param("TRANSPORT") == "tcp"
    assert uri.param("lr") == ""
    assert uri.param("maddr") is None
    assert uri.host_port == "[2001:db8::1]:5061"
    assert str(uri) == "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&x=1"


def test_escaping_round_trip() -> None:
    uri = SipUri.parse("sip:sips%3Auser%40example.com@example.net")
    assert uri.user == "sips:user@example.com"
    assert str(uri) == "sip:sips%3Auser%40example.com@example.net"
    built = SipUri(user="a b@c", host="example.com", params=(("x", "a b"),))
    assert str(built) == "sip:a%20b%40c@example.com;x=a%20b"
    assert SipUri.parse(str(built)) == built
    korean = SipUri(user="밥", host="example.com")
    assert str(korean) == "sip:%EB%B0%A5@example.com"
    assert SipUri.parse(str(korean)) == korean


def test_user_with_semicolon_and_telephone_subscriber() -> None:
    uri = SipUri.parse("sip:user;par=u%40example.net@example.com")
    assert (uri.user, uri.host, uri.params) == ("user;par=u@example.net", "example.com", ())
    phone = SipUri.parse("sip:+1-972-555-2222@gw1.example.net;user=phone")
    assert phone.user == "+1-972-555-2222" and phone.param("user") == "phone"


def test_with_params_and_host_port() -> None:
    uri = SipUri(host="example.com", params=(("transport", "udp"),))
    changed = uri.with_params(transport="tcp", lr=None)
    assert changed.params == (("transport", "tcp"), ("lr", None))
    assert uri.params == (("transport", "udp"),)
    assert SipUri(host="h.example", port=5060).host_port == "h.example:5060"


@pytest.mark.parametrize(
    "text",
    [
        "sip:",
        "sip:user@",
        "sip:a b@example.com",
        "sip:example.com:99999",
        "sip:[::zz]",
        "sip:%zz@example.com",
        "sip:example.com;;lr",
        "sip:example.com?novalue",
        "http:/x y",
        "nocolon",
    ],
)
def test_invalid_uris(text: str) -> None:
    with pytest.raises(ParseError):
        parse_uri(text)


def test_other_schemes() -> None:
    assert parse_uri("tel:+1-201-555-0123;phone-context=example.com") == TelUri(
        "+1-201-555-0123", (("phone-context", "example.com"),)
    )
    assert str(TelUri("+4930", (("isub", "1"),))) == "tel:+4930;isub=1"
    assert parse_uri("soap.beep://192.0.2.103:3002") == AbsoluteUri(
        "soap.beep", "//192.0.2.103:3002"
    )
    assert str(parse_uri("urn:service:sos")) == "urn:service:sos"
    assert isinstance(parse_uri("SIP:Alice@Example.com"), SipUri)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host": ""},
        {"host": "evil.com\r\nVia: x"},
        {"host": "a b"},
        {"host": "example.com", "port": 70000},
        {"host": "example.com", "scheme": "http"},
    ],
)
def test_sip_uri_constructor_refuses(kwargs: dict[str, object]) -> None:
    with pytest.raises(LocalProtocolError):
        SipUri(**kwargs)  # type: ignore[arg-type]


def test_name_addr_forms() -> None:
    quoted = NameAddr.parse('"Bob \\"B\\" \\\\ Smith" <sip:bob@example.com>;tag=abc;x')
    assert quoted.display_name == 'Bob "B" \\ Smith'
    assert quoted.tag == "abc"
    assert quoted.param("x") == ""
    assert str(quoted) == '"Bob \\"B\\" \\\\ Smith" <sip:bob@example.com>;tag=abc;x'
    assert NameAddr.parse(str(quoted)) == quoted

    tokens = NameAddr.parse("Bob  Smith <sip:bob@example.com>")
    assert tokens.display_name == "Bob  Smith"
    bare = NameAddr.parse("sip:bob@example.com;tag=1")
    assert bare.display_name is None and bare.tag == "1"
    assert bare.uri == SipUri(user="bob", host="example.com")
    nospace = NameAddr.parse('"caller"<sip:caller@example.com>;tag=323')
    assert nospace.display_name == "caller"
    spaced = NameAddr.parse("sip:a@b.c ; tag = 9 ")
    assert spaced.tag == "9"


def test_name_addr_with_tag_and_utf8() -> None:
    addr = NameAddr(SipUri(user="bob", host="example.com"), "밥")
    tagged = addr.with_tag("t1")
    assert tagged.tag == "t1" and addr.tag is None
    assert str(tagged) == '"밥" <sip:bob@example.com>;tag=t1'
    assert tagged.with_tag("t2").params == (("tag", "t2"),)


@pytest.mark.parametrize(
    "text",
    [
        '"unterminated <sip:a@b.c>',
        "Bell, Alexander <sip:a@b.c>",
        "< sip:a@b.c >",
        "<sip:a@b.c",
        "sip:a@b.c?x=y",
        '"x" sip:a@b.c',
        "<sip:a@b.c>;;",
    ],
)
def test_name_addr_invalid(text: str) -> None:
    with pytest.raises(ParseError):
        NameAddr.parse(text)


@pytest.mark.parametrize("bad", ["a\r\nb", "a\nb", "a\x00b"])
def test_name_addr_refuses_injection(bad: str) -> None:
    uri = SipUri(host="example.com")
    with pytest.raises(LocalProtocolError):
        NameAddr(uri, bad)
    with pytest.raises(LocalProtocolError):
        NameAddr(uri, None, (("x", bad),))
