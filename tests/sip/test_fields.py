"""Typed header fields."""

from __future__ import annotations

import pytest

from softphone.sip import (
    Contact,
    ContentType,
    CSeq,
    Event,
    LocalProtocolError,
    ParseError,
    RetryAfter,
    SubscriptionState,
    Via,
)


def test_via() -> None:
    via = Via.parse("SIP / 2.0 / udp  [2001:db8::9]:5070 ;branch=z9hG4bKx;received=1.2.3.4;rport")
    assert (via.transport, via.host, via.port) == ("UDP", "[2001:db8::9]", 5070)
    assert via.branch == "z9hG4bKx"
    assert via.received == "1.2.3.4"
    assert via.rport is True
    assert via.sent_by == "[2001:db8::9]:5070"
    assert Via.parse("SIP/2.0/TCP h.example;rport=5062").rport == 5062
    assert Via.parse("SIP/2.0/TLS h.example").rport is None
    assert str(Via("UDP", "h.example", 5060, (("branch", "z9hG4bK1"),))) == (
        "SIP/2.0/UDP h.example:5060;branch=z9hG4bK1"
    )


@pytest.mark.parametrize(
    "value",
    [
        "SIP/2.0/UDP",
        "SIP/3.0/UDP h",
        "SIP/2.0/UDP h;;",
        "SIP/2.0/UDP h:70000",
        "SIP/2.0/UDP h;rport=x",
    ],
)
def test_via_invalid(value: str) -> None:
    with pytest.raises(ParseError):
        Via.parse(value)


def test_cseq() -> None:
    assert CSeq.parse(" 0009  INVITE") == CSeq(9, "INVITE")
    assert str(CSeq(2**31 - 1, "MESSAGE")) == "2147483647 MESSAGE"
    for bad in ["2147483648 INVITE", "1", "x INVITE", "-1 INVITE"]:
        with pytest.raises(ParseError):
            CSeq.parse(bad)
    with pytest.raises(LocalProtocolError):
        CSeq(2**31, "INVITE")
    with pytest.raises(LocalProtocolError):
        CSeq(1, "IN VITE")


def test_contact_list() -> None:
    contacts = Contact.parse_list(["<sip:a@b.c>;expires=60;q=0.7", "sip:d@e.f"])
    assert [c.expires for c in contacts] == [60, None]
    assert [c.q for c in contacts] == [0.7, None]
    star = Contact.parse_list(["*"])
    assert star == [Contact(None)] and str(star[0]) == "*"
    for bad in (["*", "<sip:a@b.c>"], ["<sip:a@b.c>;expires=soon"], ["<sip:a@b.c>;q=2"]):
        with pytest.raises(ParseError):
            Contact.parse_list(bad)


def test_content_type() -> None:
    ctype = ContentType.parse('Text/Plain ; charset="UTF-8"')
    assert ctype.mime == "text/plain"
    assert ctype.charset == "UTF-8"
    assert ContentType.parse("application/reginfo+xml").charset is None
    with pytest.raises(ParseError):
        ContentType.parse("text")


def test_subscription_state() -> None:
    assert SubscriptionState.parse("Active;expires=600") == SubscriptionState("active", None, 600)
    state = SubscriptionState.parse("terminated;reason=Rejected;retry-after=30;foo=bar")
    assert state == SubscriptionState("terminated", "rejected", None, 30, (("foo", "bar"),))
    assert SubscriptionState.parse(str(state)) == state
    assert SubscriptionState.parse("pending").state == "pending"
    for bad in ["", "active;expires=x", ";reason=x"]:
        with pytest.raises(ParseError):
            SubscriptionState.parse(bad)


def test_event() -> None:
    assert Event.parse("reg") == Event("reg")
    event = Event.parse("presence;id=7;x=y")
    assert event == Event("presence", "7", (("x", "y"),))
    assert str(event) == "presence;id=7;x=y"
    with pytest.raises(ParseError):
        Event.parse("")


def test_retry_after() -> None:
    value = RetryAfter.parse("120 (I'm in a meeting);duration=60")
    assert (value.seconds, value.comment, value.duration) == (120, "I'm in a meeting", 60)
    assert str(value) == "120 (I'm in a meeting);duration=60"
    with pytest.raises(ParseError):
        RetryAfter.parse("949302838503028349304023988")
