"""The parser's value objects behave as the frozen dataclasses they were.

SipUri, NameAddr, Via, CSeq and Contact are records (tuples with named
fields, see softphone.sip.record): callers compare, hash, copy and
``dataclasses.replace`` them exactly as before.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from softphone.sip import Headers, LocalProtocolError, Request, parse
from softphone.sip.auth import Challenge, Credentials, parse_challenges, parse_credentials
from softphone.sip.fields import Contact, ContentType, CSeq, Event, SubscriptionState, Via
from softphone.sip.uri import NameAddr, SipUri

MESSAGE = (
    b"MESSAGE sip:bob@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    b'From: "Alice" <sip:alice@example.com>;tag=1928301774\r\n'
    b"To: <sip:bob@example.com>\r\n"
    b"Call-ID: a84b4c76e66710@192.0.2.10\r\n"
    b"CSeq: 1 MESSAGE\r\n"
    b"Contact: <sip:alice@192.0.2.10:5060>;expires=60\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def _views() -> list[object]:
    message = parse(MESSAGE)
    return [message.uri, message.from_, message.via[0], message.cseq, message.contact[0]]


def test_parsed_values_equal_the_same_values_built_by_code() -> None:
    uri, from_, via, cseq, contact = _views()
    assert uri == SipUri("sip", "bob", None, "example.com")
    assert from_ == NameAddr(
        SipUri(user="alice", host="example.com"), "Alice", (("tag", "1928301774"),)
    )
    assert via == Via("UDP", "192.0.2.10", 5060, (("branch", "z9hG4bK776asdhds"), ("rport", None)))
    assert cseq == CSeq(1, "MESSAGE")
    assert contact == Contact(
        NameAddr(SipUri(user="alice", host="192.0.2.10", port=5060), None, (("expires", "60"),))
    )
    assert [hash(v) for v in _views()] == [hash(v) for v in _views()]


def test_equal_only_to_the_same_class() -> None:
    # A tuple of the same fields, or another record of the same length, is
    # not equal (as with dataclasses, which compare the class first).
    cseq = CSeq(1, "MESSAGE")
    assert cseq != (1, "MESSAGE")
    plain = (1, "MESSAGE")
    assert plain != cseq
    assert not cseq == plain  # noqa: SIM201
    assert not plain == cseq  # noqa: SIM201
    assert Contact(None) != (None,)
    assert CSeq(1, "A") != Via("A", "h")
    assert {plain: 1}.get(cseq) is None
    assert cseq not in [plain]
    assert cseq == CSeq(1, "MESSAGE")
    assert not cseq != CSeq(1, "MESSAGE")  # noqa: SIM202
    assert cseq != CSeq(2, "MESSAGE")
    assert {cseq: 1}[CSeq(1, "MESSAGE")] == 1


def test_no_ordering_and_no_assignment() -> None:
    with pytest.raises(TypeError):
        CSeq(1, "A") < CSeq(2, "A")  # noqa: B015
    uri = SipUri(host="example.com")
    with pytest.raises(AttributeError):
        uri.host = "example.org"  # type: ignore[misc]


def test_dataclass_tools_keep_working() -> None:
    uri, from_, via, cseq, _ = _views()
    assert [f.name for f in dataclasses.fields(uri)] == [  # type: ignore[arg-type]
        "scheme",
        "user",
        "password",
        "host",
        "port",
        "params",
        "headers",
    ]
    assert dataclasses.is_dataclass(via)
    assert dataclasses.asdict(cseq) == {"seq": 1, "method": "MESSAGE"}  # type: ignore[call-overload]
    moved = dataclasses.replace(uri, host="example.org", port=5070)  # type: ignore[type-var]
    assert moved == SipUri("sip", "bob", None, "example.org", 5070)
    assert str(dataclasses.replace(from_, display_name=None)) == (  # type: ignore[type-var]
        "<sip:alice@example.com>;tag=1928301774"
    )
    # replace goes through the constructor and its checks.
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(uri, port=70000)  # type: ignore[type-var]
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(via, host="a b")  # type: ignore[type-var]
    assert repr(cseq) == "CSeq(seq=1, method='MESSAGE')"
    assert repr(uri) == (
        "SipUri(scheme='sip', user='bob', password=None, host='example.com', port=None, "
        "params=(), headers=())"
    )


def test_copies_and_pickles_keep_values_the_constructor_refuses() -> None:
    # A quoted-pair NUL is a valid display name on the wire (RFC 3261 25.1)
    # that code may not build: copies keep it as parsed.
    address = NameAddr.parse('"a\\\x00b" <sip:x@example.com>')
    assert address.display_name == "a\x00b"
    for clone in (copy.copy(address), copy.deepcopy(address), pickle.loads(pickle.dumps(address))):
        assert clone == address
        assert type(clone) is NameAddr
    with pytest.raises(LocalProtocolError):
        NameAddr(address.uri, "a\x00b")


NOTIFY = (
    b"NOTIFY sip:alice@192.0.2.10:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.20;rport;branch=z9hG4bKn;received=192.0.2.1\r\n"
    b"From: <sip:bob@example.com>;tag=a;x\r\n"
    b"To: <sip:alice@example.com>;tag=b\r\n"
    b"Call-ID: n@example.com\r\n"
    b"CSeq: 4 NOTIFY\r\n"
    b"Event: reg;x=1\r\n"
    b"Subscription-State: active;expires=599;y\r\n"
    b"Content-Type: application/reginfo+xml;charset=UTF-8\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_the_other_header_records() -> None:
    message = parse(NOTIFY)
    assert message.via[0] == Via(
        "UDP",
        "192.0.2.20",
        None,
        (("rport", None), ("branch", "z9hG4bKn"), ("received", "192.0.2.1")),
    )
    assert message.from_.params == (("tag", "a"), ("x", None))
    assert message.event == Event("reg", None, (("x", "1"),))
    assert message.subscription_state == SubscriptionState(
        "active", None, 599, None, (("y", None),)
    )
    content_type = message.content_type
    assert content_type == ContentType("application", "reginfo+xml", (("charset", "UTF-8"),))
    assert content_type.mime == "application/reginfo+xml"
    assert content_type != ("application", "reginfo+xml", (("charset", "UTF-8"),))
    assert dataclasses.replace(message.event, id="7") == Event("reg", "7", (("x", "1"),))  # type: ignore[type-var]
    with pytest.raises(LocalProtocolError):
        dataclasses.replace(content_type, subtype="a b")  # type: ignore[type-var]
    assert repr(message.event) == "Event(package='reg', id=None, params=(('x', '1'),))"


def test_challenges_and_credentials_are_keyword_records() -> None:
    challenge = parse_challenges('Digest realm="example.com", nonce="n", qop="auth"')[0]
    assert challenge == Challenge(
        scheme="Digest", params=(("realm", "example.com"), ("nonce", "n"), ("qop", "auth"))
    )
    assert (challenge.realm, challenge.qop_options, challenge.supported) == (
        "example.com",
        ("auth",),
        True,
    )
    credentials = parse_credentials('Digest username="alice", realm="r"')
    assert credentials == Credentials(
        scheme="Digest", params=(("username", "alice"), ("realm", "r"))
    )
    # Same fields, another class: not equal (as the dataclasses were).
    assert Challenge(scheme="Digest") != Credentials(scheme="Digest")
    assert repr(Challenge(scheme="Basic")) == "Challenge(scheme='Basic', params=())"
    assert type(dataclasses.replace(challenge, scheme="digest")) is Challenge  # type: ignore[type-var]
    assert [(f.name, f.kw_only) for f in dataclasses.fields(credentials)] == [  # type: ignore[arg-type]
        ("scheme", True),
        ("params", True),
    ]
    with pytest.raises(TypeError):
        Challenge("Digest")  # type: ignore[misc]


def test_views_of_a_message_built_by_code_are_read_and_cached() -> None:
    # Not parsed: each view is read from the headers on first access, then
    # from the headers' cache until they change.
    request = Request(
        "REGISTER",
        "sip:example.com",
        Headers([("Allow", "INVITE, MESSAGE"), ("WWW-Authenticate", "Digest realm=r, nonce=n")]),
    )
    first = request.allow
    assert first == ["INVITE", "MESSAGE"]
    assert request.allow is first
    assert request.www_authenticate == [
        Challenge(scheme="Digest", params=(("realm", "r"), ("nonce", "n")))
    ]
    assert request.supported == [] and request.authorization is None
    request.headers.set("Allow", "ACK")
    assert request.allow == ["ACK"]
