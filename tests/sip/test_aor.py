"""The one address-of-record rule (RFC 3261 19.1.4, 10.3 step 5).

Every place that keys a person by address uses `softphone.sip.aor`: the
registrar's bindings and watcher lists, buddies, conversations, blocked
senders, links. These cases state the rule.
"""

from __future__ import annotations

import pytest

from softphone.blocking import normalize_address
from softphone.link import parse_link
from softphone.server.registrar import aor_of
from softphone.services.messaging import peer_of
from softphone.services.presence import normalize_aor
from softphone.sip import ParseError, SipUri
from softphone.sip.aor import aor_key, parse_aor


@pytest.mark.parametrize(
    ("uri", "key"),
    [
        # Host without case (19.1.4), written in lower case.
        ("sip:alice@EXAMPLE.com", "sip:alice@example.com"),
        # Port, parameters (even user=phone), headers, password dropped (10.3).
        ("sip:alice@example.com:5070;transport=tcp;user=phone", "sip:alice@example.com"),
        ("sip:alice:secret@example.com?Subject=hi", "sip:alice@example.com"),
        ("sip:alice@example.com:5060", "sip:alice@example.com"),
        # User part compared after unescaping, with its case (19.1.4).
        ("sip:%61lice@example.com", "sip:alice@example.com"),
        ("sip:Alice@example.com", "sip:Alice@example.com"),
        # sips is another address: "never equivalent" to sip (19.1.4).
        ("sips:alice@example.com", "sips:alice@example.com"),
        ("SIPS:alice@example.com", "sips:alice@example.com"),
        # A trailing dot names another host; kept, never folded away.
        ("sip:alice@example.com.", "sip:alice@example.com."),
        # No user part: an application server is its own address.
        ("sip:App.Example.com", "sip:app.example.com"),
        ("sip:bob@[2001:DB8::1]:5062", "sip:bob@[2001:db8::1]"),
    ],
)
def test_the_address_of_record_rule(uri: str, key: str) -> None:
    assert aor_key(SipUri.parse(uri)) == key


def test_sip_and_sips_are_two_addresses() -> None:
    assert aor_key(SipUri.parse("sip:bob@example.com")) != aor_key(
        SipUri.parse("sips:bob@example.com")
    )


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("bob@example.com", "sip:bob@example.com"),
        ("  bob@Example.COM  ", "sip:bob@example.com"),
        ("Sip:bob@example.com", "sip:bob@example.com"),
        ("sips:bob@example.com", "sips:bob@example.com"),
        ("bob@example.com:5070", "sip:bob@example.com"),
    ],
)
def test_typed_addresses(typed: str, key: str) -> None:
    assert aor_key(parse_aor(typed)) == key


def test_a_typed_address_that_is_no_uri_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_aor("bob@")


@pytest.mark.parametrize(
    "text",
    [
        "sip:Bob@EXAMPLE.com:5070;transport=tcp",
        "sips:Bob@EXAMPLE.com",
        "sip:%42ob@example.com",
        "sip:bob@example.com.",
    ],
)
def test_every_place_agrees(text: str) -> None:
    key = aor_key(SipUri.parse(text))
    assert aor_of(SipUri.parse(text)) == key  # the registrar
    assert peer_of(SipUri.parse(text)) == key  # conversations
    assert normalize_aor(text) == key  # buddies
    assert normalize_address(text) == key  # blocked senders, the window
    link = parse_link(text.split(";")[0])
    assert link.address == key  # sip: links
