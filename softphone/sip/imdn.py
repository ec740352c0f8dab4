"""Instant Message Disposition Notification documents (RFC 5438).

A receipt is a MESSAGE whose body (usually inside CPIM) is a
`message/imdn+xml` document naming the Message-ID it reports on and one
status: the message was delivered, displayed to a person, or could not be.
`parse_imdn` reads one with the hardened XML rules of `sip.xmldoc`;
`build_imdn` writes one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from xml.sax.saxutils import escape

from softphone.sip.cpim import format_datetime, parse_datetime
from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.xmldoc import local_name, parse_document

__all__ = [
    "IMDN_CONTENT_TYPE",
    "IMDN_XML_NAMESPACE",
    "MAX_IMDN_SIZE",
    "Imdn",
    "ImdnStatus",
    "NotificationKind",
    "build_imdn",
    "parse_imdn",
]

#: RFC 5438 7.2.1: the MIME type of a disposition notification.
IMDN_CONTENT_TYPE = "message/imdn+xml"
#: RFC 5438 10.1: the document's namespace.
IMDN_XML_NAMESPACE = "urn:ietf:params:xml:ns:imdn"
#: A receipt is a few hundred bytes; anything near this is not one.
MAX_IMDN_SIZE = 16 * 1024


class NotificationKind(enum.Enum):
    """Which question a receipt answers (RFC 5438 5.1)."""

    #: Did the message reach the recipient's device?
    DELIVERY = "delivery-notification"
    #: Was it shown to a person?
    DISPLAY = "display-notification"
    #: What did an intermediary do with it?
    PROCESSING = "processing-notification"


class ImdnStatus(enum.Enum):
    """The answer (RFC 5438 7.2.1.1 to 7.2.1.3)."""

    DELIVERED = "delivered"
    DISPLAYED = "displayed"
    PROCESSED = "processed"
    STORED = "stored"
    FAILED = "failed"
    FORBIDDEN = "forbidden"
    ERROR = "error"


# RFC 5438 10.1 (the schema): which statuses each notification may carry.
_ALLOWED: dict[NotificationKind, frozenset[ImdnStatus]] = {
    NotificationKind.DELIVERY: frozenset(
        {ImdnStatus.DELIVERED, ImdnStatus.FAILED, ImdnStatus.FORBIDDEN, ImdnStatus.ERROR}
    ),
    NotificationKind.DISPLAY: frozenset(
        {ImdnStatus.DISPLAYED, ImdnStatus.FORBIDDEN, ImdnStatus.ERROR}
    ),
    NotificationKind.PROCESSING: frozenset(
        {ImdnStatus.PROCESSED, ImdnStatus.STORED, ImdnStatus.FORBIDDEN, ImdnStatus.ERROR}
    ),
}


@dataclass(frozen=True, slots=True)
class Imdn:
    """One disposition notification."""

    #: The ``imdn.Message-ID`` of the message this reports on.
    message_id: str
    kind: NotificationKind
    status: ImdnStatus
    #: ``<datetime>``: when the message was sent (RFC 5438 7.2.1.1), as sent.
    date_time: str = ""
    recipient_uri: str | None = None
    original_recipient_uri: str | None = None

    @property
    def timestamp(self) -> float | None:
        """`date_time` as a POSIX time, None when missing or unreadable."""
        return parse_datetime(self.date_time) if self.date_time else None


def _text(element: object) -> str:
    return "".join(element.itertext()).strip()  # type: ignore[attr-defined]


def parse_imdn(body: bytes) -> Imdn:
    """Parse a `message/imdn+xml` document.

    Elements of other namespaces are ignored (RFC 5438 10.1 allows
    extensions).

    Raises:
        ParseError: 413 over `MAX_IMDN_SIZE`; 415 when not UTF-8; 400 for a
            DOCTYPE, XML that is not well-formed, a root other than
            ``<imdn>``, no ``<message-id>``, no notification, or a status the
            notification cannot carry.
    """
    root = parse_document(body, what="IMDN", max_size=MAX_IMDN_SIZE)
    ns, name = local_name(root)
    if name != "imdn" or ns != IMDN_XML_NAMESPACE:
        raise ParseError("body is not an <imdn> document", status=400)
    message_id = date_time = ""
    recipient = original = None
    found: tuple[NotificationKind, ImdnStatus] | None = None
    for child in root:
        cns, cname = local_name(child)
        if cns != IMDN_XML_NAMESPACE:
            continue
        if cname == "message-id":
            message_id = _text(child)
        elif cname == "datetime":
            date_time = _text(child)
        elif cname == "recipient-uri":
            recipient = _text(child)
        elif cname == "original-recipient-uri":
            original = _text(child)
        elif found is None and cname in {k.value for k in NotificationKind}:
            kind = NotificationKind(cname)
            status = _status_of(child, kind)
            found = (kind, status)
    if not message_id:
        raise ParseError("IMDN without a <message-id>", status=400)
    if found is None:
        raise ParseError("IMDN without a notification", status=400)
    return Imdn(
        message_id=message_id,
        kind=found[0],
        status=found[1],
        date_time=date_time,
        recipient_uri=recipient,
        original_recipient_uri=original,
    )


def _status_of(notification: object, kind: NotificationKind) -> ImdnStatus:
    for status_element in notification:  # type: ignore[attr-defined]
        sns, sname = local_name(status_element)
        if sns != IMDN_XML_NAMESPACE or sname != "status":
            continue
        for value in status_element:
            vns, vname = local_name(value)
            if vns != IMDN_XML_NAMESPACE:
                continue
            try:
                status = ImdnStatus(vname)
            except ValueError:
                raise ParseError(f"unknown IMDN status {str(vname)[:40]!r}", status=400) from None
            if status not in _ALLOWED[kind]:
                raise ParseError(f"IMDN {kind.value} cannot carry {status.value}", status=400)
            return status
    raise ParseError(f"IMDN {kind.value} without a status", status=400)


def build_imdn(
    *,
    message_id: str,
    kind: NotificationKind,
    status: ImdnStatus,
    sent_at: float,
    recipient_uri: str,
) -> bytes:
    """A `message/imdn+xml` document, UTF-8, as RFC 5438 7.2.1 shows them.

    *sent_at* is when the original message was sent (its CPIM DateTime);
    *recipient_uri* is our own address.

    Raises:
        LocalProtocolError: *status* is not one *kind* may carry.
    """
    if status not in _ALLOWED[kind]:
        raise LocalProtocolError(f"{kind.value} cannot carry {status.value}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n'
        f'<imdn xmlns="{IMDN_XML_NAMESPACE}">\r\n'
        f"<message-id>{escape(message_id)}</message-id>\r\n"
        f"<datetime>{format_datetime(sent_at)}</datetime>\r\n"
        f"<recipient-uri>{escape(recipient_uri)}</recipient-uri>\r\n"
        f"<original-recipient-uri>{escape(recipient_uri)}</original-recipient-uri>\r\n"
        f"<{kind.value}><status><{status.value}/></status></{kind.value}>\r\n"
        "</imdn>\r\n"
    ).encode()
