"""Common Presence and Instant Messaging message format (RFC 3862).

`message/cpim` wraps a MIME object (usually `text/plain`) in a block of
message headers (From, To, DateTime, NS and namespaced extensions such as
RFC 5438's `imdn.Message-ID`). Liberal in what we accept, strict in what we
send: real clients differ from the RFC in line endings (bare LF), header
case, a missing blank line before the content, a missing charset. What
`build_cpim` writes is exactly RFC 3862: CRLF line ends, one blank line
after the message headers and one after the content headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from softphone.sip.errors import LocalProtocolError, ParseError

__all__ = [
    "CPIM_CONTENT_TYPE",
    "CPIM_NAMESPACE",
    "IMDN_NAMESPACE",
    "CpimHeader",
    "CpimMessage",
    "build_cpim",
    "cpim_address",
    "format_datetime",
    "parse_cpim",
    "parse_datetime",
]

#: The MIME type of the wrapper (RFC 3862 4).
CPIM_CONTENT_TYPE = "message/cpim"
#: The namespace of headers without a prefix (RFC 3862 3.4).
CPIM_NAMESPACE = "urn:ietf:params:cpim-headers:"
#: RFC 5438 6.2: the namespace of Message-ID and Disposition-Notification.
IMDN_NAMESPACE = "urn:ietf:params:imdn"

#: More header lines than this is not a chat message.
_MAX_HEADERS = 100

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_LINE_END = re.compile(r"\r?\n")
# RFC 3862 3.1: Header-name = [ Name-prefix "." ] Name; liberal: any token.
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+\-^_`|~.]+$")
# RFC 3862 3.5.1: NS: [ Name-prefix ] "<" URI ">"
_NS_VALUE = re.compile(r"^\s*([A-Za-z0-9!#$%&'*+\-^_`|~]*)\s*<([^<>]*)>\s*$")


@dataclass(frozen=True, slots=True)
class CpimHeader:
    """One message header line, its prefix resolved through the NS headers."""

    #: The name as sent, prefix included (``imdn.Message-ID``).
    name: str
    #: The namespace URI its prefix stands for (`CPIM_NAMESPACE` without one).
    namespace: str
    #: The name without its prefix (``Message-ID``).
    local_name: str
    #: The value with its ``;param`` prefix list removed.
    value: str
    #: RFC 3862 3.1 header parameters (``Subject:;lang=fr ...``).
    params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CpimMessage:
    """A parsed `message/cpim` body."""

    headers: tuple[CpimHeader, ...]
    #: The encapsulated object's Content-Type, ``text/plain`` when missing.
    content_type: str
    #: Every header of the encapsulated object (name, value).
    content_headers: tuple[tuple[str, str], ...]
    #: The encapsulated object's bytes, exactly as received.
    body: bytes
    _index: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    def header(self, local_name: str, namespace: str = CPIM_NAMESPACE) -> str | None:
        """The first value of a header, looked up by namespace and name (any case)."""
        key = (namespace, local_name.lower())
        if not self._index:
            for h in self.headers:
                self._index.setdefault((h.namespace, h.local_name.lower()), h.value)
        return self._index.get(key)

    def content_header(self, name: str) -> str | None:
        """The first value of an encapsulated-object header (any case)."""
        wanted = name.lower()
        for key, value in self.content_headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def from_(self) -> str | None:
        """The From header (RFC 3862 3.3.1), as sent."""
        return self.header("From")

    @property
    def to(self) -> str | None:
        """The first To header (RFC 3862 3.3.2), as sent."""
        return self.header("To")

    @property
    def date_time(self) -> float | None:
        """DateTime (RFC 3862 3.3.6) as a POSIX time; None when missing or unreadable."""
        value = self.header("DateTime")
        return None if value is None else parse_datetime(value)

    @property
    def message_id(self) -> str | None:
        """RFC 5438 6.3 ``imdn.Message-ID``: the message's identity at its sender."""
        value = self.header("Message-ID", IMDN_NAMESPACE)
        return value.strip() if value else None

    @property
    def disposition_notification(self) -> frozenset[str]:
        """RFC 5438 6.4 ``imdn.Disposition-Notification``: which receipts the sender wants.

        Lower-case tokens, e.g. ``{"positive-delivery", "display"}``.
        """
        value = self.header("Disposition-Notification", IMDN_NAMESPACE)
        if not value:
            return frozenset()
        return frozenset(t.strip().lower() for t in value.split(",") if t.strip())


def _split_headers(block: str) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for line in _LINE_END.split(block):
        if not line.strip():
            continue
        if line[0] in " \t" and lines:
            # Liberal: a folded continuation line (MIME style).
            name, value = lines[-1]
            lines[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _HEADER_NAME.match(name):
            raise ParseError("malformed CPIM header line", status=400)
        lines.append((name, value))
        if len(lines) > _MAX_HEADERS:
            raise ParseError("too many CPIM header lines", status=400)
    return lines


def _split_params(raw: str) -> tuple[str, tuple[str, ...]]:
    # RFC 3862 3.1: Header = Header-name ":" *( ";" Parameter ) SP Header-value
    value = raw.lstrip(" \t") if not raw.startswith(";") else raw
    params: list[str] = []
    while value.startswith(";"):
        param, _, value = value[1:].partition(" ")
        params.append(param)
    return value.strip(), tuple(params)


def _is_content_header(line: bytes) -> bool:
    # Every MIME entity header is Content-* or MIME-Version (RFC 2045 9).
    head = line[:12].lower()
    return head.startswith((b"content-", b"mime-version"))


def parse_cpim(data: bytes) -> CpimMessage:
    """Parse a `message/cpim` body (already decompressed).

    Accepts bare LF as well as CRLF, any header case, a prefix used without
    its NS declaration (``imdn.`` then means RFC 5438's namespace), content
    headers mixed into the message headers, and an encapsulated object with
    no headers at all (then it is ``text/plain``).

    Raises:
        ParseError: 400 for an empty body, a header line without a colon or
            with an invalid name, or more than 100 header lines.
    """
    if not data.strip():
        raise ParseError("empty CPIM message", status=400)
    found = _BLANK_LINE.search(data)
    if data.startswith((b"\r\n", b"\n")):
        head, rest = b"", data.lstrip(b"\r\n")
    elif found is None:
        head, rest = data, b""
    else:
        head, rest = data[: found.start()], data[found.end() :]
    raw_headers = _split_headers(head.decode("utf-8", "replace"))

    content_headers: list[tuple[str, str]] = []
    message_headers: list[tuple[str, str]] = []
    for name, value in raw_headers:
        if name.lower().startswith("content-") or name.lower() == "mime-version":
            # Liberal: some clients put the content headers in this block.
            content_headers.append((name, value.strip()))
        else:
            message_headers.append((name, value))
    body = rest
    if _is_content_header(rest):
        inner = _BLANK_LINE.search(rest)
        if inner is None:
            block, body = rest, b""
        else:
            block, body = rest[: inner.start()], rest[inner.end() :]
        content_headers += [
            (n, v.strip()) for n, v in _split_headers(block.decode("utf-8", "replace"))
        ]

    # RFC 3862 3.5.1: NS maps a prefix to a namespace URI for this message.
    prefixes: dict[str, str] = {"imdn": IMDN_NAMESPACE}
    for name, value in message_headers:
        if name.lower() == "ns":
            matched = _NS_VALUE.match(value)
            if matched:
                prefixes[matched.group(1).lower()] = matched.group(2).strip()
    headers: list[CpimHeader] = []
    for name, raw in message_headers:
        prefix, dot, local = name.rpartition(".")
        namespace = prefixes.get(prefix.lower(), f"urn:x-unknown-prefix:{prefix}") if dot else None
        value, params = _split_params(raw)
        headers.append(
            CpimHeader(
                name=name,
                namespace=namespace or CPIM_NAMESPACE,
                local_name=local,
                value=value,
                params=params,
            )
        )
    content_type = "text/plain"
    for name, value in content_headers:
        if name.lower() == "content-type":
            content_type = value
            break
    return CpimMessage(
        headers=tuple(headers),
        content_type=content_type,
        content_headers=tuple(content_headers),
        body=body,
    )


def parse_datetime(value: str) -> float | None:
    """An RFC 3339 date-time (RFC 3862 3.3.6) as a POSIX time, or None."""
    text = value.strip().upper().replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # RFC 3339 requires an offset; a local time means nothing here.
    return parsed.timestamp()


def format_datetime(now: float) -> str:
    """*now* as an RFC 3339 UTC date-time with seconds, e.g. ``2026-11-30T12:00:00Z``."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_TOKEN_WORDS = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+( [A-Za-z0-9!#$%&'*+\-.^_`|~]+)*$")


def cpim_address(uri: str, display_name: str | None = None) -> str:
    """A From/To value: ``Formal-name <URI>`` (RFC 3862 3.3.1).

    The formal name goes as tokens when it is made of tokens (as the RFC's
    own example, ``MR SANDERS``; liblinphone 5 refuses the quoted form),
    else as a quoted string with ``\\`` and ``"`` escaped.
    """
    if not display_name:
        return f"<{uri}>"
    if _TOKEN_WORDS.match(display_name):
        return f"{display_name} <{uri}>"
    quoted = display_name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{uri}>'


def _check(text: str) -> str:
    if any(c in text for c in "\r\n\x00"):
        raise LocalProtocolError("CPIM header values may not contain CR, LF or NUL")
    return text


def build_cpim(
    *,
    from_: str,
    to: str,
    date_time: float,
    content_type: str,
    body: bytes,
    message_id: str | None = None,
    disposition_notification: tuple[str, ...] = (),
    content_headers: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """A `message/cpim` body exactly as RFC 3862 writes it.

    *from_* and *to* are name-addr values (``"Alice" <sip:alice@example.com>``
    or ``<sip:...>``). With a *message_id*, the RFC 5438 namespace is declared
    and ``imdn.Message-ID`` (and ``imdn.Disposition-Notification`` when any
    is asked for) follow it.

    Raises:
        LocalProtocolError: a value contains CR, LF or NUL.
    """
    lines = [f"From: {_check(from_)}", f"To: {_check(to)}"]
    lines.append(f"DateTime: {format_datetime(date_time)}")
    if message_id is not None:
        lines.append(f"NS: imdn <{IMDN_NAMESPACE}>")
        lines.append(f"imdn.Message-ID: {_check(message_id)}")
        if disposition_notification:
            wanted = ", ".join(_check(d) for d in disposition_notification)
            lines.append(f"imdn.Disposition-Notification: {wanted}")
    inner = [f"Content-Type: {_check(content_type)}"]
    inner += [f"{_check(n)}: {_check(v)}" for n, v in content_headers]
    head = "\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(inner) + "\r\n\r\n"
    return head.encode("utf-8") + body
