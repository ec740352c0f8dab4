"""RFC 5438 IMDN and RFC 3994 is-composing documents: the RFCs' examples, hostile XML."""

from __future__ import annotations

import pytest

from softphone.sip.delivery import DeliveryState, after_receipt
from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.imdn import ImdnStatus, NotificationKind, build_imdn, parse_imdn
from softphone.sip.iscomposing import (
    ComposingState,
    build_iscomposing,
    parse_iscomposing,
)

D = DeliveryState
K = NotificationKind
S = ImdnStatus

# RFC 5438 section 7.2.1.1 (delivery notification example).
RFC5438_DELIVERED = b"""<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <recipient-uri>im:bob@example.com</recipient-uri>
  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
  <delivery-notification>
    <status>
      <delivered/>
    </status>
  </delivery-notification>
</imdn>
"""

# RFC 5438 section 7.2.1.2 (display notification example).
RFC5438_DISPLAYED = b"""<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <recipient-uri>im:bob@example.com</recipient-uri>
  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
  <display-notification>
    <status>
      <displayed/>
    </status>
  </display-notification>
</imdn>
"""

# RFC 3994 section 7 (the example document).
RFC3994_ACTIVE = b"""<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/html</contenttype>
  <lastactive>2003-01-27T10:43:00Z</lastactive>
  <refresh>90</refresh>
</isComposing>
"""


def test_rfc5438_delivered_example() -> None:
    doc = parse_imdn(RFC5438_DELIVERED)
    assert (doc.message_id, doc.kind, doc.status) == ("34jk324j", K.DELIVERY, S.DELIVERED)
    assert (doc.recipient_uri, doc.original_recipient_uri) == (
        "im:bob@example.com",
        "im:bob@example.com",
    )
    assert doc.timestamp == 1207329409.0


def test_rfc5438_displayed_example() -> None:
    doc = parse_imdn(RFC5438_DISPLAYED)
    assert (doc.kind, doc.status) == (K.DISPLAY, S.DISPLAYED)


def test_build_reads_back() -> None:
    data = build_imdn(
        message_id="a<b", kind=K.DISPLAY, status=S.DISPLAYED, sent_at=0.0, recipient_uri="sip:b@x"
    )
    doc = parse_imdn(data)
    assert (doc.message_id, doc.kind, doc.status, doc.date_time) == (
        "a<b",
        K.DISPLAY,
        S.DISPLAYED,
        "1970-01-01T00:00:00Z",
    )
    with pytest.raises(LocalProtocolError):
        build_imdn(message_id="x", kind=K.DISPLAY, status=S.DELIVERED, sent_at=0, recipient_uri="x")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>&lol2;</message-id></imdn>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE imdn [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>&x;</message-id></imdn>"""


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (BILLION_LAUGHS, 400, "IMDN document with a DOCTYPE refused"),
        (XXE, 400, "IMDN document with a DOCTYPE refused"),
        (b"<imdn", 400, None),
        (b"x" * 20000, 413, "IMDN document larger than 16 KiB"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><imdn/>', 415, None),
        ("<imdn>é</imdn>".encode("latin-1"), 415, "IMDN document must be UTF-8"),
        ("<imdn/>".encode("utf-16"), 415, "IMDN document must be UTF-8"),
        (b'<imdn xmlns="urn:other"/>', 400, "body is not an <imdn> document"),
        (
            b'<imdn xmlns="urn:ietf:params:xml:ns:imdn"><delivery-notification>'
            b"<status><delivered/></status></delivery-notification></imdn>",
            400,
            "IMDN without a <message-id>",
        ),
        (
            b'<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>1</message-id></imdn>',
            400,
            "IMDN without a notification",
        ),
        (
            b'<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>1</message-id>'
            b"<display-notification><status><delivered/></status></display-notification></imdn>",
            400,
            "IMDN display-notification cannot carry delivered",
        ),
        (
            b'<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>1</message-id>'
            b"<display-notification><status><seen/></status></display-notification></imdn>",
            400,
            "unknown IMDN status 'seen'",
        ),
        (
            b'<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>1</message-id>'
            b"<display-notification></display-notification></imdn>",
            400,
            "IMDN display-notification without a status",
        ),
    ],
)
def test_hostile_and_malformed_imdn(body: bytes, status: int, reason: str | None) -> None:
    with pytest.raises(ParseError) as info:
        parse_imdn(body)
    assert info.value.status == status
    if reason is not None:
        assert info.value.reason == reason


def test_extension_elements_are_ignored() -> None:
    doc = parse_imdn(
        b'<imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:x="urn:x"><x:y>1</x:y>'
        b"<message-id>m</message-id><!-- c --><processing-notification><status>"
        b"<x:z/><stored/></status></processing-notification></imdn>"
    )
    assert (doc.kind, doc.status, doc.timestamp) == (K.PROCESSING, S.STORED, None)


# --- the delivery table for receipts ---------------------------------------------


@pytest.mark.parametrize(
    ("current", "kind", "status", "expected"),
    [
        (D.ACCEPTED, K.DELIVERY, S.DELIVERED, D.DELIVERED),
        (D.DELIVERED, K.DELIVERY, S.DELIVERED, None),
        (D.READ, K.DELIVERY, S.DELIVERED, None),  # late delivered after displayed
        (D.ACCEPTED, K.DISPLAY, S.DISPLAYED, D.READ),
        (D.DELIVERED, K.DISPLAY, S.DISPLAYED, D.READ),
        (D.READ, K.DISPLAY, S.DISPLAYED, None),
        (D.ACCEPTED, K.DELIVERY, S.FAILED, D.FAILED),
        (D.DELIVERED, K.DELIVERY, S.ERROR, D.FAILED),
        (D.READ, K.DELIVERY, S.FORBIDDEN, None),
        (D.DELIVERED, K.DISPLAY, S.FORBIDDEN, None),  # "will not tell you", not a failure
        (D.ACCEPTED, K.PROCESSING, S.STORED, None),
        (D.SENDING, K.DISPLAY, S.DISPLAYED, None),  # the caller keeps it for later
        (D.QUEUED, K.DELIVERY, S.DELIVERED, None),
        (D.FAILED, K.DISPLAY, S.DISPLAYED, None),
        (D.DECLINED, K.DELIVERY, S.DELIVERED, None),
    ],
)
def test_after_receipt(
    current: DeliveryState, kind: K, status: S, expected: DeliveryState | None
) -> None:
    outcome = after_receipt(current, kind, status)
    assert (outcome[0] if outcome else None) is expected


# --- RFC 3994 ----------------------------------------------------------------------


def test_rfc3994_example() -> None:
    doc = parse_iscomposing(RFC3994_ACTIVE)
    assert (doc.state, doc.content_type, doc.refresh, doc.last_active) == (
        ComposingState.ACTIVE,
        "text/html",
        90,
        "2003-01-27T10:43:00Z",
    )


def test_iscomposing_build_reads_back_and_odd_values() -> None:
    doc = parse_iscomposing(build_iscomposing(ComposingState.ACTIVE, refresh=60))
    assert (doc.state, doc.refresh, doc.content_type) == (ComposingState.ACTIVE, 60, "text/plain")
    idle = build_iscomposing(ComposingState.IDLE, refresh=60)
    assert b"refresh" not in idle
    assert parse_iscomposing(idle).state is ComposingState.IDLE
    odd = parse_iscomposing(
        b'<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">'
        b"<state>typing</state><refresh>-5</refresh></isComposing>"
    )
    assert (odd.state, odd.refresh) == (ComposingState.IDLE, None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (BILLION_LAUGHS.replace(b"imdn", b"isComposing"), 400),
        (b'<isComposing xmlns="urn:x"><state>active</state></isComposing>', 400),
        (b'<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>', 400),
        (b"<a>" * 5000, 413),
    ],
)
def test_hostile_iscomposing(body: bytes, status: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_iscomposing(body)
    assert info.value.status == status
