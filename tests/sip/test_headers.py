"""Headers: order, case-insensitivity, compact forms, list splitting, injection."""

from __future__ import annotations

import pytest

from softphone.sip import Headers, LocalProtocolError, ParseError
from softphone.sip.headers import canonical_name, split_list


@pytest.mark.parametrize(
    ("compact", "long"),
    [
        ("v", "Via"),
        ("f", "From"),
        ("t", "To"),
        ("i", "Call-ID"),
        ("m", "Contact"),
        ("l", "Content-Length"),
        ("c", "Content-Type"),
        ("k", "Supported"),
        ("s", "Subject"),
        ("e", "Content-Encoding"),
        ("o", "Event"),
        ("u", "Allow-Events"),
        ("r", "Refer-To"),
        ("b", "Referred-By"),
        ("x", "Session-Expires"),
    ],
)
def test_compact_forms(compact: str, long: str) -> None:
    headers = Headers([(compact.upper(), "1")])
    assert list(headers) == [(long, "1")]
    assert headers.get(long.lower()) == "1"
    assert headers.get(compact) == "1"


def test_order_case_and_multi_values() -> None:
    headers = Headers([("via", "a"), ("X-Custom", "1"), ("VIA", "b")])
    assert list(headers) == [("Via", "a"), ("X-Custom", "1"), ("Via", "b")]
    assert headers.get("v") == "a"
    assert headers.get_all("Via") == ["a", "b"]
    assert headers.get("x-custom") == "1"
    assert headers.get("missing") is None
    assert "x-CUSTOM" in headers and "Missing" not in headers
    assert len(headers) == 3
    assert canonical_name("call-id") == "Call-ID"
    assert canonical_name("X-Odd") == "X-Odd"


def test_set_replaces_at_first_place_and_remove() -> None:
    headers = Headers([("Via", "a"), ("To", "t"), ("Via", "b")])
    headers.set("via", "c")
    assert list(headers) == [("Via", "c"), ("To", "t")]
    headers.set("Expires", "60")
    assert list(headers)[-1] == ("Expires", "60")
    headers.remove("v")
    assert list(headers) == [("To", "t"), ("Expires", "60")]
    headers.remove("absent")
    assert len(headers) == 2


def test_equality_uses_canonical_names_and_order() -> None:
    assert Headers([("t", "x"), ("f", "y")]) == Headers([("To", "x"), ("From", "y")])
    assert Headers([("t", "x"), ("f", "y")]) != Headers([("From", "y"), ("To", "x")])


def test_values_respects_quotes_and_angle_brackets() -> None:
    headers = Headers(
        [
            ("Contact", '"Doe, John" <sip:a@b;x=1,2>;q=0.5, <sip:c@d>'),
            ("Contact", "sip:e@f"),
            ("Allow", "INVITE, ,ACK,"),
        ]
    )
    assert headers.values("Contact") == [
        '"Doe, John" <sip:a@b;x=1,2>;q=0.5',
        "<sip:c@d>",
        "sip:e@f",
    ]
    assert headers.values("Allow") == ["INVITE", "ACK"]
    assert split_list(r'"a \", b", c') == [r'"a \", b"', "c"]
    with pytest.raises(ParseError):
        split_list('"unterminated, x')
    with pytest.raises(ParseError):
        split_list("a,,b", strict=True)


@pytest.mark.parametrize("bad", ["a\r\nX: y", "a\nb", "a\rb", "a\x00b"])
def test_injection_refused(bad: str) -> None:
    headers = Headers()
    with pytest.raises(LocalProtocolError):
        headers.add("Subject", bad)
    with pytest.raises(LocalProtocolError):
        headers.set("Subject", bad)
    with pytest.raises(LocalProtocolError):
        Headers([("Subject", bad)])
    assert len(headers) == 0


@pytest.mark.parametrize("name", ["", "Bad Name", "X:Y", "X\r\nY", "Ä"])
def test_invalid_names_refused(name: str) -> None:
    with pytest.raises(LocalProtocolError):
        Headers().add(name, "v")


def test_cache_dropped_on_change() -> None:
    headers = Headers([("Expires", "1")])
    assert headers.cached("k", lambda h: h.get("Expires")) == "1"
    headers.set("Expires", "2")
    assert headers.cached("k", lambda h: h.get("Expires")) == "2"
