"""Write RFC 3680 `application/reginfo+xml` documents.

The reading side lives in `softphone.sip.reginfo`; this module writes the
same data classes back out, so a document the registrar sends parses to the
`ReginfoDocument` it was made from. Built with lxml: names and text are
escaped by the serializer, never by string formatting.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

from softphone.sip.reginfo import (
    REGINFO_NAMESPACE,
    Contact,
    ContactEvent,
    ReginfoDocument,
    Registration,
)

__all__ = ["serialize_reginfo"]

_NS = f"{{{REGINFO_NAMESPACE}}}"


def _contact(parent: etree._Element, contact: Contact) -> None:
    event = contact.event.value if isinstance(contact.event, ContactEvent) else contact.event
    element = etree.SubElement(
        parent,
        _NS + "contact",
        id=contact.id,
        state=contact.state.value,
        event=event,
    )
    # RFC 3680 §5.3: expires, duration-registered, q, callid and cseq are
    # optional attributes of <contact>; write those we know.
    optional: list[tuple[str, object | None]] = [
        ("expires", contact.expires),
        ("retry-after", contact.retry_after),
        ("duration-registered", contact.duration_registered),
        ("q", contact.q),
        ("callid", contact.callid),
        ("cseq", contact.cseq),
    ]
    for name, value in optional:
        if value is not None:
            element.set(name, str(value))
    etree.SubElement(element, _NS + "uri").text = contact.uri
    if contact.display_name is not None:
        etree.SubElement(element, _NS + "display-name").text = contact.display_name


def _registration(parent: etree._Element, registration: Registration) -> None:
    element = etree.SubElement(
        parent,
        _NS + "registration",
        aor=registration.aor,
        id=registration.id,
        state=registration.state.value,
    )
    for contact in registration.contacts:
        _contact(element, contact)


def serialize_reginfo(document: ReginfoDocument) -> bytes:
    """The UTF-8 XML of *document* (RFC 3680 §5.3), with an XML declaration."""
    root = etree.Element(
        _NS + "reginfo",
        nsmap={None: REGINFO_NAMESPACE},
        version=str(document.version),
        state=document.state.value,
    )
    for registration in document.registrations:
        _registration(root, registration)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
