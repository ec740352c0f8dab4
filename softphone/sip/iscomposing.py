"""Indication of message composition (RFC 3994): "Alice is typing...".

An `application/im-iscomposing+xml` document says the peer is composing
(``active``, to be believed for ``refresh`` seconds) or stopped (``idle``).
Read with the hardened XML rules of `sip.xmldoc`; written by `build_iscomposing`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from softphone.sip.errors import ParseError
from softphone.sip.xmldoc import local_name, parse_document

__all__ = [
    "ACTIVE_TIMEOUT",
    "DEFAULT_REFRESH",
    "IDLE_TIMEOUT",
    "ISCOMPOSING_CONTENT_TYPE",
    "ISCOMPOSING_NAMESPACE",
    "ComposingState",
    "IsComposing",
    "build_iscomposing",
    "parse_iscomposing",
]

#: RFC 3994 7: the MIME type.
ISCOMPOSING_CONTENT_TYPE = "application/im-iscomposing+xml"
#: RFC 3994 7: the document's namespace.
ISCOMPOSING_NAMESPACE = "urn:ietf:params:xml:ns:im-iscomposing"
#: RFC 3994 3: "active" is refreshed at most this often, and a receiver
#: without a refresh value times it out after 120 s.
DEFAULT_REFRESH = 60
#: RFC 3994 3: an active state without a refresh times out after 120 s.
ACTIVE_TIMEOUT = 120
#: RFC 3994 3: idle after 15 s without typing.
IDLE_TIMEOUT = 15
_MAX_SIZE = 8 * 1024


class ComposingState(enum.Enum):
    """RFC 3994 3: the two states of the composer."""

    ACTIVE = "active"
    IDLE = "idle"


@dataclass(frozen=True, slots=True)
class IsComposing:
    """One is-composing indication."""

    state: ComposingState
    #: The content type being composed (``text/plain`` when missing).
    content_type: str = "text/plain"
    #: Seconds the active state lasts unless refreshed (None: not given).
    refresh: int | None = None
    #: ``<lastactive>``, as sent.
    last_active: str = ""


def parse_iscomposing(body: bytes) -> IsComposing:
    """Parse an `application/im-iscomposing+xml` document.

    An unknown state value is read as idle (RFC 3994 leaves no other), a
    refresh that is not a positive number as missing.

    Raises:
        ParseError: 413 over 8 KiB; 415 when not UTF-8; 400 for a DOCTYPE,
            XML that is not well-formed, a root other than ``<isComposing>``
            or no ``<state>``.
    """
    root = parse_document(body, what="isComposing", max_size=_MAX_SIZE)
    ns, name = local_name(root)
    if name != "isComposing" or ns != ISCOMPOSING_NAMESPACE:
        raise ParseError("body is not an <isComposing> document", status=400)
    values: dict[str, str] = {}
    for child in root:
        cns, cname = local_name(child)
        if cns == ISCOMPOSING_NAMESPACE and cname is not None:
            values.setdefault(cname, "".join(child.itertext()).strip())
    if "state" not in values:
        raise ParseError("isComposing without a <state>", status=400)
    state = ComposingState.ACTIVE if values["state"] == "active" else ComposingState.IDLE
    refresh: int | None = None
    raw = values.get("refresh", "")
    if raw.isdigit() and 0 < int(raw) <= 86400:
        refresh = int(raw)
    return IsComposing(
        state=state,
        content_type=values.get("contenttype") or "text/plain",
        refresh=refresh,
        last_active=values.get("lastactive", ""),
    )


def build_iscomposing(state: ComposingState, *, refresh: int | None = None) -> bytes:
    """An is-composing document as RFC 3994 7 shows it (UTF-8, CRLF)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<isComposing xmlns="{ISCOMPOSING_NAMESPACE}">',
        f"<state>{state.value}</state>",
        "<contenttype>text/plain</contenttype>",
    ]
    if refresh is not None and state is ComposingState.ACTIVE:
        lines.append(f"<refresh>{int(refresh)}</refresh>")
    lines.append("</isComposing>")
    return ("\r\n".join(lines) + "\r\n").encode()
